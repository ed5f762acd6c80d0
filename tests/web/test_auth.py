"""Logging in and out, sessions, CSRF and what needs a login."""

from __future__ import annotations

from tests.helpers import csrf_token, login

PUBLIC_PATHS = {"/login", "/healthz", "/static"}


def test_every_route_needs_a_login_or_a_key_except_login_static_and_health(app, client):
    checked = 0
    for prefix, router in app.state.mounted_routers:
        for route in router.routes:
            path = prefix + route.path
            if path in PUBLIC_PATHS:
                continue
            for name in ("account_id", "contact_id", "subscription_id"):
                path = path.replace("{" + name + "}", "1")
            for method in sorted(route.methods - {"HEAD"}):
                response = client.request(method, path, follow_redirects=False)
                if path.startswith(("/api/", "/v1/")):
                    assert response.status_code == 401, (method, path, response.status_code)
                elif path.startswith("/s/"):
                    # Survey links need no login: the signed token is the permission, and a
                    # made-up one is refused without a redirect.
                    assert response.status_code == 400, (method, path, response.status_code)
                    assert "set-cookie" not in response.headers
                else:
                    # Pages send people to the login page; unsafe requests fail CSRF first.
                    assert response.status_code in (303, 403), (method, path, response.status_code)
                    if response.status_code == 303:
                        assert response.headers["location"].startswith("/login?next=")
                checked += 1
    assert checked > 20  # the walk really covered the app
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/static/headway.css").status_code == 200


def test_the_api_reference_needs_a_login_and_is_served_without_a_cdn(client, alice):
    assert client.get("/docs", follow_redirects=False).status_code == 303
    assert client.get("/openapi.json", follow_redirects=False).status_code == 303
    login(client, alice)
    page = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/api/v1/accounts" in client.get("/openapi.json").json()["paths"]


def test_alice_logs_in_and_out(client, alice):
    login(client, alice)
    assert client.get("/", follow_redirects=False).status_code == 200
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, alice):
    response = client.post(
        "/login",
        data={"email": alice.email, "password": "nope", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert "Wrong email or password." in response.text


def test_the_login_form_needs_its_csrf_token(client, alice):
    client.get("/login")
    response = client.post("/login", data={"email": alice.email, "password": "alice-password"})
    assert response.status_code == 403


def test_logout_needs_the_csrf_token_so_other_sites_cannot_log_you_out(client, alice):
    login(client, alice)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_after_login_you_land_where_you_were_going_but_never_on_another_site(client, alice):
    response = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": "alice-password",
            "csrf_token": csrf_token(client),
            "next": "/accounts?segment=tech-touch",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/accounts?segment=tech-touch"
    client.cookies.clear()
    response = client.post(
        "/login",
        data={
            "email": alice.email,
            "password": "alice-password",
            "csrf_token": csrf_token(client),
            "next": "//evil.example.com/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_a_session_of_a_deactivated_person_ends(client, session, bob):
    login(client, bob)
    bob.active = False
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed_and_http_only(client, alice):
    response = client.post(
        "/login",
        data={"email": alice.email, "password": "alice-password", "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    client.cookies.set("headway_session", "forged." + client.cookies["headway_session"])
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_imports_link_shows_only_to_people_who_may_import(client, dave, bob):
    login(client, dave)
    assert 'href="/imports"' in client.get("/").text
    client.cookies.clear()
    login(client, bob)
    assert 'href="/imports"' not in client.get("/").text
