"""The email a run's owner gets when it stops, fails or is killed, in the owner's language."""

from django.urls import reverse
from django.utils.functional import lazy

from accounts.emails import absolute_url, send_user_email
from strategies.models import RunStatus, StrategyRun
from strategies.services import run_messages

# Rendered inside the owner's language (send_user_email switches to it before rendering).
lazy_stop_message = lazy(run_messages.stop_message, str)


def send_run_ended(run: StrategyRun) -> None:
    send_user_email(
        run.owner,
        "strategies/email/run_ended",
        {
            "run": run,
            "failed": run.status == RunStatus.FAILED,
            "chosen": run.stop_code in run_messages.CHOSEN,
            "reason": lazy_stop_message(run.stop_code, run.stop_params),
            "run_url": absolute_url(reverse("runs:detail", kwargs={"run_id": run.pk})),
        },
    )
