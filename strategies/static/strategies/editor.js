// Line numbers beside the document editor: <textarea data-line-numbers>.
// Without JavaScript the textarea works as it is; this only adds a gutter that follows it.
(function () {
  document.querySelectorAll("textarea[data-line-numbers]").forEach(function (textarea) {
    var gutter = document.createElement("pre");
    gutter.className = "editor-gutter";
    gutter.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(gutter, textarea);

    var shown = 0;
    function number() {
      var count = textarea.value.split("\n").length;
      if (count !== shown) {
        var lines = [];
        for (var i = 1; i <= count; i++) lines.push(i);
        gutter.textContent = lines.join("\n");
        shown = count;
      }
      gutter.scrollTop = textarea.scrollTop;
    }
    textarea.addEventListener("input", number);
    textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
    number();
  });
})();
