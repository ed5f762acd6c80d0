"""What every area's screenshots share: a throwaway database, a live server, Chromium, a login,
pages that have settled, and how much of each page to keep."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import time_machine
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.orm import Session

from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.users.models import Role, User
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server

SECRET = "headway-screenshots-secret-key"
SETUP = Actor.system("screenshots")
# The people of the screenshots; each logs in with "<first name>-password".
PEOPLE = {
    "alice": ("Alice Adams", Role.ADMIN),
    "dave": ("Dave Davis", Role.MANAGER),
    "bob": ("Bob Brown", Role.CSM),
    "erin": ("Erin Evans", Role.CSM),
    "femi": ("Femi Adeyemi", Role.CSM),
    "carol": ("Carol Clark", Role.VIEWER),
}

Clip = dict[str, float]
# How much of the page a shot keeps: None for the whole page, else a rectangle of it.
Region = Callable[[Page], Clip | None]
Values = dict[str, Any]


@dataclass(frozen=True)
class Viewport:
    width: int
    height: int
    mobile: bool = False


VIEWPORTS = {
    "laptop": Viewport(1366, 900),
    "tablet": Viewport(820, 1180),
    "phone": Viewport(390, 860, mobile=True),
}


def whole_page(page: Page) -> Clip | None:
    """The whole page, however long."""
    return None


def first_screen(page: Page) -> Clip | None:
    """What a visitor sees before scrolling."""
    size = page.viewport_size
    assert size is not None
    return {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}


def top(height: int) -> Region:
    """The page from its top down to `height` pixels."""

    def region(page: Page) -> Clip | None:
        return {"x": 0, "y": 0, "width": _page_width(page), "height": height}

    return region


def top_down_to(selector: str) -> Region:
    """The page from its top down to the bottom of the element `selector` names."""

    def region(page: Page) -> Clip | None:
        box = _box(page, selector)
        return {"x": 0, "y": 0, "width": _page_width(page), "height": box["y"] + box["height"] + 1}

    return region


def around(selector: str, down_to: str | None = None, margin: int = 16) -> Region:
    """The element `selector` names (down to the bottom of `down_to`), with a margin around."""

    def region(page: Page) -> Clip | None:
        first = _box(page, selector)
        last = _box(page, down_to) if down_to else first
        return {
            "x": max(0.0, first["x"] - margin),
            "y": max(0.0, first["y"] - margin),
            "width": first["width"] + 2 * margin,
            "height": last["y"] + last["height"] - first["y"] + 2 * margin,
        }

    return region


def _page_width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


def _box(page: Page, selector: str) -> Clip:
    """Where an element is on the page (not the window), for clips of full-page screenshots."""
    box = page.locator(selector).first.bounding_box()
    if box is None:
        raise RuntimeError(f"{page.url}: nothing on the page matches {selector!r}")
    scrolled = float(page.evaluate("() => window.scrollY"))
    return {"x": box["x"], "y": box["y"] + scrolled, "width": box["width"], "height": box["height"]}


@dataclass(frozen=True)
class Shot:
    """One page to capture, at one or more viewports, saved as <area>-<name>-<width>.png."""

    name: str
    path: str  # may name what the seed returned: "/accounts/{showcase}"
    viewports: tuple[str, ...] = ("laptop", "tablet")
    region: Region = whole_page
    doc: str | None = None  # with --readme, also docs/<doc>, taken at the first viewport
    then: Callable[[Page], None] | None = None  # something to do on the page before capturing


@dataclass(frozen=True)
class Area:
    """A part of Headway: the data its pages need and the pages to capture."""

    key: str
    summary: str
    seed: Callable[[Session], Values]
    shots: tuple[Shot, ...]
    user: str = "dave"  # who logs in (a first name of PEOPLE, or an email and password)
    password: str | None = None
    frozen_at: datetime | None = None  # the clock of the seed and of the server, if not now
    environment: dict[str, str] = field(default_factory=dict)  # HEADWAY_* for the server

    def docs(self) -> list[str]:
        return [shot.doc for shot in self.shots if shot.doc]


def create_people(session: Session, *firsts: str) -> dict[str, User]:
    """Create the named people (see PEOPLE); each logs in with '<first name>-password'."""
    people = {}
    for first in firsts:
        name, role = PEOPLE[first]
        people[first] = create_user(
            session=session,
            actor=SETUP,
            email=f"{first}@example.com",
            name=name,
            role=role,
            password=f"{first}-password",
        )
    return people


def log_in(page: Page, email: str, password: str) -> None:
    """Log in on the login page and wait for the portfolio."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def settle(page: Page) -> None:
    """Wait for the requests htmx makes on load and for every chart to finish drawing."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).every((canvas) => {
            const chart = window.Chart && Chart.getChart(canvas);
            return chart && !Chart.animator.running(chart);
        })"""
    )
    page.wait_for_timeout(100)  # one more frame after the last animation step


def hidden_navigation(page: Page) -> list[str]:
    """The links of the top navigation that do not fit in it (it scrolls sideways instead)."""
    return list(
        page.evaluate(
            """() => {
                const nav = document.querySelector('header.topbar nav');
                if (!nav) return [];
                const edge = nav.getBoundingClientRect().right + 0.5;
                return Array.from(nav.querySelectorAll('a'))
                    .filter((link) => link.getBoundingClientRect().right > edge)
                    .map((link) => link.textContent.trim());
            }"""
        )
    )


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class Film:
    """What one area's run wrote and what looked wrong."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def shoot(area: Area, *, out: Path, docs: Path | None) -> Film:
    """Seed a throwaway database for the area, serve it, and capture its shots into `out`.

    With `docs`, each shot that names a docs file is copied there too.
    """
    film = Film()
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(ignore_cleanup_errors=True))
        if area.frozen_at is not None:
            stack.enter_context(time_machine.travel(area.frozen_at, tick=True))
        stack.enter_context(_environment(area.environment))
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        try:
            values = area.seed(session)
            session.commit()
        finally:
            session.close()
        base_url = stack.enter_context(live_server(url, SECRET))
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)
        email, password = _credentials(area)
        for label in _viewports(area):
            viewport = VIEWPORTS[label]
            context = browser.new_context(
                base_url=base_url,
                viewport={"width": viewport.width, "height": viewport.height},
                is_mobile=viewport.mobile,
            )
            page = context.new_page()
            page.on("pageerror", lambda error: film.problems.append(f"script error: {error}"))
            log_in(page, email, password)
            for shot in area.shots:
                if label in shot.viewports:
                    _capture(area, shot, label, page, values, out, docs, film)
            context.close()
    return film


def _credentials(area: Area) -> tuple[str, str]:
    if area.password is not None:
        return area.user, area.password
    return f"{area.user}@example.com", f"{area.user}-password"


def _viewports(area: Area) -> list[str]:
    """The viewports the area's shots use, in the order they first name them."""
    return list(dict.fromkeys(label for shot in area.shots for label in shot.viewports))


def _capture(
    area: Area,
    shot: Shot,
    label: str,
    page: Page,
    values: Values,
    out: Path,
    docs: Path | None,
    film: Film,
) -> None:
    path = shot.path.format(**values)
    if shot.then is not None or not page.url.endswith(path):
        page.goto(path)
    settle(page)
    if shot.then is not None:
        shot.then(page)
        settle(page)
    if label == "laptop":
        hidden = hidden_navigation(page)
        if hidden:
            film.problems.append(f"{path}: the top navigation hides {', '.join(hidden)}")
    width = VIEWPORTS[label].width
    target = out / f"{area.key}-{shot.name}-{width}.png"
    page.screenshot(path=str(target), full_page=True, clip=shot.region(page))  # type: ignore[arg-type]
    film.written.append(target)
    print(target, flush=True)
    if docs is not None and shot.doc and label == shot.viewports[0]:
        doc = docs / shot.doc
        shutil.copyfile(target, doc)
        film.written.append(doc)
        print(doc, flush=True)
