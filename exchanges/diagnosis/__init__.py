"""What an exchange's answer means for the user's key: a verdict, what to do, where to read.

verdicts  the verdicts and their translated explanations
errors    raw error codes read from the exchange's own error body
rules     per-exchange tables: raw code -> verdict and guide anchor
diagnose  the entry point: an exception (or a permission set) in, a Diagnosis out
"""

from exchanges.diagnosis.diagnose import diagnose_error, diagnose_permissions
from exchanges.diagnosis.verdicts import Diagnosis, Verdict

__all__ = ["Diagnosis", "Verdict", "diagnose_error", "diagnose_permissions"]
