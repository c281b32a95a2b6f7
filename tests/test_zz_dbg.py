from tests.test_access import *  # noqa
from tests.test_access import _build, _everything_shown, _owner_only

async def test_dbg(app, api, clock):
    world = await _build(app, api, clock)
    shown, codes = _everything_shown(world)
    print("N", len(shown), len(codes))
    interesting = [d for d in sorted(shown) if re.match(r"^(sh:(wy|w|go|r|c):|cl:v|a:|ay:|r:|n:x|n:ok|t:nd|t:rmy|j:y|t:w|t:q)", d)]
    print(interesting)
    for pid in (LEE, JO, BLAIR):
        p = world.people[pid]
        for d in interesting:
            if _owner_only(d) and pid in shown[d]:
                continue
            before = set(api.callback_answers)
            sent = await p.press_data(p.last().message_id, d)
            ans = [api.callback_answers[k]["text"] for k in api.callback_answers if k not in before]
            print(p.name, d, "->", ans, [m.body[:70] for m in sent])
