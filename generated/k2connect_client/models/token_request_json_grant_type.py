from typing import Literal

TokenRequestJsonGrantType = Literal["client_credentials"]

TOKEN_REQUEST_JSON_GRANT_TYPE_VALUES: set[TokenRequestJsonGrantType] = {
    "client_credentials",
}


def check_token_request_json_grant_type(value: str) -> TokenRequestJsonGrantType:
    if value in TOKEN_REQUEST_JSON_GRANT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TOKEN_REQUEST_JSON_GRANT_TYPE_VALUES!r}")
