"""Error decoding and messages (no network)."""

import pickle

import pytest

from balena_pulumi.client import errors as e


def test_json_string_bodies_are_decoded():
    err = e.error_for_status(
        "post", "/v7/application_environment_variable", 409, b'"\\"application\\" and \\"name\\" must be unique."'
    )
    assert isinstance(err, e.Conflict) and err.is_unique_violation
    assert str(err) == (
        'POST /v7/application_environment_variable -> 409 Conflict: "application" and "name" must be unique.'
    )


def test_empty_and_plain_text_bodies():
    assert e.decode_api_message(b"") is None
    assert e.decode_api_message(b'""') is None
    assert e.decode_api_message(b"Application id must be a number") == "Application id must be a number"
    err = e.error_for_status("GET", "/v7/application_environment_variable", 500, b"")
    assert isinstance(err, e.ServerError)
    assert str(err) == "GET /v7/application_environment_variable -> 500 Internal Server Error: (empty response body)"


def test_status_classes():
    assert isinstance(e.error_for_status("GET", "/x", 400, b""), e.BadRequest)
    assert isinstance(e.error_for_status("GET", "/x", 403, b""), e.Forbidden)
    assert isinstance(e.error_for_status("GET", "/x", 404, b""), e.NotFound)
    assert isinstance(e.error_for_status("GET", "/x", 502, b""), e.ServerError)
    rl = e.error_for_status("GET", "/x", 429, b'"Too Many Requests"', retry_after="7")
    assert isinstance(rl, e.RateLimited) and rl.retry_after == 7
    c = e.error_for_status("DELETE", "/x", 409, b'"Data is referenced by application."')
    assert not c.is_unique_violation


def test_query_secrets_are_stripped_from_paths():
    err = e.error_for_status("GET", "/v7/device?apikey=SECRET&$top=1", 401, b"")
    assert "SECRET" not in str(err) and "SECRET" not in repr(err)
    assert err.path == "/v7/device?%24top=1" or err.path == "/v7/device?$top=1"


def test_errors_pickle_with_their_fields():
    err = e.error_for_status("GET", "/x", 429, b"", retry_after="3")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is e.RateLimited and back.retry_after == 3 and str(back) == str(err)


def test_a_lookup_miss_is_not_found_without_http_status():
    err = e.NotFound("fleet with slug 'acme/x' not found", status=None)
    assert err.status is None and str(err) == "fleet with slug 'acme/x' not found"


# -- refusals: what the API refused, and why, instead of an empty body ---------------------------------

REFUSALS = [
    (
        "POST", "/v7/organization", "api_key",
        "POST /v7/organization -> 401 Unauthorized: the API refused to create an organization: only a user "
        "session may create organizations, never an API key, and this client is logged in with an API key",
    ),
    (
        "POST", "/v7/organization", "session",
        "POST /v7/organization -> 401 Unauthorized: the API refused to create an organization: this user may "
        "not create organizations on this API (open-balena lets no ordinary user create one; balenaCloud lets "
        "an account's users)",
    ),
    (
        "PATCH", "/v7/organization(3)", "api_key",
        "PATCH /v7/organization(3) -> 401 Unauthorized: the API refused to change organization 3: that needs an "
        "administrator of the organization, logged in with a user session; a user API key may only read "
        "organizations",
    ),
    (
        "POST", "/api-key/user/full", "api_key",
        "POST /api-key/user/full -> 401 Unauthorized: the API refused to create a user API key: only a user "
        "session (a token from logging in) may create user API keys, never an API key, and this client is "
        "logged in with an API key",
    ),
    (
        "PATCH", "/v7/api_key(4)", "api_key",
        "PATCH /v7/api_key(4) -> 401 Unauthorized: the API refused to change API key 4: only the key owner's "
        "user session may change API keys; a user API key may not change or delete API keys",
    ),
    (
        "DELETE", "/v7/api_key(4)", "api_key",
        "DELETE /v7/api_key(4) -> 401 Unauthorized: the API refused to delete API key 4: only the key owner's "
        "user session may delete API keys; a user API key may not change or delete API keys",
    ),
    (
        "POST", "/api-key/application/12/provisioning", "session",
        "POST /api-key/application/12/provisioning -> 401 Unauthorized: the API refused to create a provisioning "
        "key for fleet 12: that needs write access to the fleet, so the fleet does not exist, is not visible to "
        "this login, or the login's role in it may not create provisioning keys",
    ),
    (
        "GET", "/v7/api_key?$filter=is_of__actor%20eq%2012", "session",
        "GET /v7/api_key?$filter=is_of__actor+eq+12 -> 401 Unauthorized: the API refused to read API keys: "
        "reading the keys of a fleet needs a role in the fleet that may read them (a plain user login sees "
        "only its own keys)",
    ),
    (
        "POST", "/v7/application_environment_variable", "api_key",
        "POST /v7/application_environment_variable -> 401 Unauthorized: the API refused to create a fleet "
        "environment variable: this client's API key may not write fleet environment variables of that fleet, "
        "or the fleet does not exist or is not visible to it (the API answers 401 for both)",
    ),
    (
        "GET", "/v7/application_environment_variable", "none",
        "GET /v7/application_environment_variable -> 401 Unauthorized: the API refused a request sent without "
        "credentials: this client has no API token",
    ),
]


@pytest.mark.parametrize(("method", "path", "token_kind", "message"), REFUSALS, ids=lambda v: str(v)[:40])
def test_a_refusal_says_what_was_refused_and_the_likely_cause(method, path, token_kind, message):
    err = e.error_for_status(method, path, 401, b"", token_kind=token_kind)
    assert type(err) is e.Unauthorized
    assert str(err) == message


def test_a_refusal_with_a_body_keeps_the_apis_words():
    err = e.error_for_status("POST", "/api-key/application/12/provisioning", 403, b'"Forbidden"', token_kind="api_key")
    assert type(err) is e.Forbidden and err.api_message == "Forbidden"
    assert str(err).endswith('may not create provisioning keys (the API said: "Forbidden")')


def test_a_stale_session_is_its_own_error_telling_the_user_to_log_in_again():
    err = e.error_for_status(
        "POST", "/api-key/user/full", 401, b'"Fresh authentication token required"', token_kind="session"
    )
    assert type(err) is e.FreshLoginRequired and isinstance(err, e.Unauthorized)
    assert str(err) == (
        "POST /api-key/user/full -> 401 Unauthorized: the API wants a recent login for this: the session token is "
        "older than it accepts (creating a user API key needs a login from the last 20 minutes); log in again and "
        'use the new token (the API said: "Fresh authentication token required")'
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is e.FreshLoginRequired and str(back) == str(err)


def test_outcome_unknown_belongs_to_the_tree_and_names_its_cause():
    cause = e.error_for_status("POST", "/v7/application_tag", 502, b"")
    err = e.OutcomeUnknown(cause=cause)
    assert isinstance(err, e.TransportError) and not isinstance(err, e.ApiError)
    assert (err.method, err.path, err.status) == ("POST", "/v7/application_tag", 502)
    assert str(err) == (
        "POST /v7/application_tag -> outcome unknown (502 Bad Gateway): the request reached the API, which may or "
        "may not have stored it; nothing was sent again"
    )
