"""Import every domain's tables so the metadata is complete (migrations, tests)."""

from headway.accounts import models as accounts_models
from headway.activities import models as activities_models
from headway.contacts import models as contacts_models
from headway.core import audit
from headway.core.db import Base
from headway.health import models as health_models
from headway.importers import models as importers_models
from headway.lifecycle import models as lifecycle_models
from headway.outcomes import models as outcomes_models
from headway.revenue import models as revenue_models
from headway.support import models as support_models
from headway.surveys import models as surveys_models
from headway.usage import models as usage_models
from headway.users import models as users_models

__all__ = [
    "Base",
    "accounts_models",
    "activities_models",
    "audit",
    "contacts_models",
    "health_models",
    "importers_models",
    "lifecycle_models",
    "outcomes_models",
    "revenue_models",
    "support_models",
    "surveys_models",
    "usage_models",
    "users_models",
]
