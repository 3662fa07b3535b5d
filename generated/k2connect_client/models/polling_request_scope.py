from typing import Literal

PollingRequestScope = Literal["company", "till"]

POLLING_REQUEST_SCOPE_VALUES: set[PollingRequestScope] = {
    "company",
    "till",
}


def check_polling_request_scope(value: str) -> PollingRequestScope:
    if value in POLLING_REQUEST_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {POLLING_REQUEST_SCOPE_VALUES!r}")
