from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    """Exchange venues, encrypted API keys and the ccxt clients that use them."""

    name = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from django.db.models.signals import post_delete, post_save

        from accounts import services as accounts_services
        from exchanges import services
        from exchanges.context_processors import forget_keys_to_replace
        from exchanges.crypto import keyring

        # Malformed or missing key-encryption keys stop every process at start-up.
        keyring.keys()
        accounts_services.two_factor_removal_blockers.append(services.keys_block_two_factor_removal)
        accounts_services.account_deletion_blockers.append(services.keys_block_account_deletion)
        accounts_services.account_deleting.connect(
            services.keys_delete_for_account, dispatch_uid="exchanges.account_deleting"
        )
        # Every page's key banner is cached per user: any write to a key forgets it.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_keys_to_replace, sender="exchanges.ExchangeKey", dispatch_uid="key-banner"
            )
