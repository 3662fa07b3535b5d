"""Contains shared errors types that can be raised from API functions"""


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class RequestBuildError(ValueError):
    """Raised by api functions when the request cannot be built from the arguments (nothing was sent).

    For instance a body holding a value JSON cannot encode. The original exception is ``__cause__``.
    """

    def __init__(self, cause: Exception):
        super().__init__(f"The request could not be built from its arguments ({type(cause).__name__})")


class ResponseParseError(ValueError):
    """Raised by api functions when a documented status comes with a body its schema does not describe.

    The original exception (raised while reading the body: not JSON, a missing field, a wrong type, an
    unknown enum value) is ``__cause__``. Its text is not repeated here: it may quote the body.
    """

    def __init__(self, status_code: int, cause: Exception):
        self.status_code = status_code

        super().__init__(f"The response body of status {status_code} does not match the spec ({type(cause).__name__})")


__all__ = ["RequestBuildError", "ResponseParseError", "UnexpectedStatus"]
