"""Admin screens for call profiles: classification codes agents log per call, and keypad
surveys (questions on a scale). Lines of text in, checked by the same parsers as the API."""

from __future__ import annotations

from aiohttp import web

from ehd.callflow.survey import parse_questions
from ehd.db.models import ClassificationProfile, Role, SurveyProfile
from ehd.errors import ValidationError
from ehd.plain_numbers import is_digits
from ehd.queueing import pause_codes
from ehd.web.auth import require_role
from ehd.web.rendering import render
from ehd.web.telephony.classification_api import parse_codes

routes = web.RouteTableDef()


def lines_of(text: str, columns: int) -> list[list[str]]:
    """Non-empty lines split at "|" into at most ``columns`` trimmed parts. Pure."""
    return [[part.strip() for part in line.split("|", columns - 1)]
            for line in text.splitlines() if line.strip()]  # fmt: skip


def survey_questions(text: str) -> list[dict[str, object]]:
    """Lines of "id | prompt | low | high" (the scale defaults to 1-5). Pure."""
    questions: list[dict[str, object]] = []
    for number, parts in enumerate(lines_of(text, 4), start=1):
        if len(parts) < 2 or not all(parts[:2]):
            raise ValidationError(f"line {number}: write id | prompt | low | high",
                                  field="questions")  # fmt: skip
        scale = parts[2:] + ["1", "5"][len(parts) - 2 :]
        if not all(map(is_digits, scale)) or int(scale[0]) >= int(scale[1]):
            raise ValidationError(f"line {number}: the scale is two keys, low below high",
                                  field="questions")  # fmt: skip
        questions.append({"id": parts[0], "prompt": parts[1], "low": int(scale[0]),
                          "high": int(scale[1])})  # fmt: skip
    return questions


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    return render("admin_profiles.html", request, {
        "classifications": await ClassificationProfile.all().order_by("name"),
        "surveys": await SurveyProfile.all().order_by("name"), "error": error,
        "pause_codes": await pause_codes.listed(),
    }, status=status)  # fmt: skip


@routes.get("/admin/profiles")
async def profiles(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.post("/admin/profiles/classification")
async def save_classification(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    name = str(form.get("name", "")).strip()[:64]
    raw = [{"code": p[0], "label": p[1] if len(p) > 1 else ""}
           for p in lines_of(str(form.get("codes", "")), 2)]  # fmt: skip
    if not name:
        return await _page(request, "Name the profile.", 400)
    try:
        codes = parse_codes(raw)
    except ValidationError as err:
        return await _page(request, err.message, 400)
    await ClassificationProfile.update_or_create(name=name, defaults={"codes": codes})
    raise web.HTTPSeeOther("/admin/profiles")


def pause_code_lines(text: str) -> list[dict[str, object]]:
    """Lines of "code | label | productive" (productive: yes or empty) as the API's list."""
    codes: list[dict[str, object]] = []
    for parts in lines_of(text, 3):
        flag = parts[2].lower() if len(parts) > 2 else ""
        if flag not in ("", "yes", "no"):
            raise ValidationError(f"pause code {parts[0]}: productive is yes or no", field="codes")
        codes.append({"code": parts[0], "label": parts[1] if len(parts) > 1 else "",
                      "productive": flag == "yes"})  # fmt: skip
    return codes


@routes.post("/admin/profiles/pause-codes")
async def save_pause_codes(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    try:
        specs = pause_codes.parse(pause_code_lines(str(form.get("codes", ""))))
    except ValidationError as err:
        return await _page(request, err.message, 400)
    await pause_codes.replace(specs)
    raise web.HTTPSeeOther("/admin/profiles")


@routes.post("/admin/profiles/survey")
async def save_survey(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    name = str(form.get("name", "")).strip()[:64]
    if not name:
        return await _page(request, "Name the survey.", 400)
    try:
        questions = parse_questions(survey_questions(str(form.get("questions", ""))))
    except ValidationError as err:
        return await _page(request, err.message, 400)
    defaults = {
        "questions": [{"id": q.id, "prompt": q.prompt, "low": q.low, "high": q.high}
                      for q in questions],
        "intro": str(form.get("intro", "") or "survey-intro")[:64],
        "thanks": str(form.get("thanks", "") or "survey-thanks")[:64],
    }  # fmt: skip
    await SurveyProfile.update_or_create(name=name, defaults=defaults)
    raise web.HTTPSeeOther("/admin/profiles")
