"""The Rasa speed-ups give exactly Rasa's own answers (run in the Rasa environment)."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from bot.cli.settings import REPO_ROOT, RasaSettings

pytestmark = pytest.mark.integration

SCRIPT = textwrap.dedent(
    """
    import json
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event, SlotSet
    from rasa.shared.utils.common import all_subclasses
    original = Event.resolve_by_type
    names = sorted({c.type_name for c in all_subclasses(Event) if getattr(c, "type_name", None)})
    expected = {n: original(n).__name__ for n in names}
    from bot.dialogue import rasa_speedups
    rasa_speedups.install()
    rasa_speedups.install()
    out = {"same": {n: Event.resolve_by_type(n).__name__ for n in names} == expected, "n": len(names)}
    out["topic"] = Event.resolve_by_type("topic")
    out["default"] = Event.resolve_by_type("no-such-event", SlotSet).__name__
    try:
        Event.resolve_by_type("no-such-event")
        out["unknown"] = "accepted"
    except ValueError:
        out["unknown"] = "ValueError"
    action = RemoteAction("action_x", None)
    out["valid"] = action._validate_action_result(
        {"events": [{"event": "slot", "name": "region", "value": "金台区"}], "responses": [{"text": "好"}]})
    try:
        action._validate_action_result({"events": [{"event": 5}]})
        out["invalid"] = "accepted"
    except ValidationError as exc:
        out["invalid"] = "ValidationError: " + exc.message
    print(json.dumps(out))
    """
)


def test_cached_lookups_answer_as_rasa_does() -> None:
    settings = RasaSettings()
    done = subprocess.run(
        [str(settings.rasa_bin.parent / "python"), "-c", SCRIPT],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["same"] is True and out["n"] > 20
    assert out["topic"] is None
    assert out["default"] == "SlotSet"
    assert out["unknown"] == "ValueError"
    assert out["valid"] is True
    assert out["invalid"].startswith("ValidationError: 5 is not of type 'string'. Failed to validate")
