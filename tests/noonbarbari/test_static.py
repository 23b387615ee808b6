from django.core.management import call_command


def test_collectstatic_builds_the_compressed_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    assert (tmp_path / "staticfiles.json").exists()
    hashed_css = list(tmp_path.glob("css/site.*.css"))
    assert hashed_css, "site.css was not given a content hash"
    assert list(tmp_path.glob("css/site.*.css.gz"))
