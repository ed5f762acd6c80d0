import time_machine
from headway.health.scores import account_health, latest_scores
from tests.health.company import NOW, TODAY, build_health_company
from datetime import timedelta

def test_dbg(session, bob, erin):
    with time_machine.travel(NOW, tick=False):
        c = build_health_company(session, bob=bob, erin=erin)
        for day in (TODAY - timedelta(days=30), TODAY):
            h = account_health(session=session, account_id=c.globex.id, as_of=day)
            print(day, h.score, h.band, h.trend)
            for m in h.measures:
                print("  ", m.key, m.value, m.score, round(m.share,3), round(m.lost,2), m.no_data)
        for a in (c.acme, c.umbrella, c.initech):
            h = account_health(session=session, account_id=a.id)
            print(a.name, h.score, h.band, [(m.key, m.value, m.score) for m in h.measures])
