// The language switcher keeps the reader's place: its links take the page's current fragment
// (#permissions, #error-eapi-invalid-key...), which only the browser knows. Section and
// troubleshooting ids are the same in every language. Without JavaScript the links still lead
// to the top of the same page in the other language.
(function () {
  var links = document.querySelectorAll(".language-switcher a[hreflang]");
  function keepFragment() {
    links.forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.hash = window.location.hash;
      link.href = url.toString();
    });
  }
  keepFragment();
  window.addEventListener("hashchange", keepFragment);
})();
