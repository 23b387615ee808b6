from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    """Rule-based strategies with backtests, paper runs and live runs."""

    name = "strategies"
    verbose_name = _("Strategies")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from django_q.signals import post_spawn

        from accounts import services as accounts_services
        from exchanges import connection_tests
        from exchanges import services as exchanges_services
        from noonbarbari import strategy_catalog
        from noonbarbari.page_cache import register_version
        from notifications import commands, events
        from strategies import signals
        from strategies.selectors import catalog
        from strategies.selectors import governor as governor_selectors
        from strategies.services import bot_commands, live_start, live_upkeep, run_events, runs
        from strategies.views.docs import pages as docs_pages

        signals.connect()
        register_version("strategies", catalog.catalog_version, depends_on=("guides",))
        register_version(docs_pages.CACHE_SOURCE, docs_pages.docs_version)
        strategy_catalog.strategy_catalogs.append(catalog.GuideStrategies())
        # Active runs keep what they depend on: accounts and exchanges ask without importing us.
        accounts_services.two_factor_removal_blockers.append(runs.runs_block_while_active)
        accounts_services.account_deletion_blockers.append(runs.runs_block_while_active)
        accounts_services.account_deletion_blockers.append(runs.runs_block_while_cancelling)
        exchanges_services.key_deletion_blockers.append(runs.runs_block_key_deletion)
        connection_tests.verdict_listeners.append(live_start.runs_stop_on_key_verdict)
        # Notifications words our events and runs our bot commands without importing us.
        events.renderers.update(run_events.RENDERERS)
        commands.commands.update(bot_commands.COMMANDS)
        accounts_services.profile_sections.append(governor_selectors.profile_section)
        post_spawn.connect(live_upkeep.on_post_spawn, dispatch_uid="strategies.worker_started")
