"""Error decoding and messages (no network)."""

import pickle

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
    err = e.error_for_status("GET", "/v7/application_environment_variable", 401, b"")
    assert isinstance(err, e.Unauthorized)
    assert str(err) == "GET /v7/application_environment_variable -> 401 Unauthorized: (empty response body)"


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
