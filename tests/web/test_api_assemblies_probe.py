from tests.web.test_api_assemblies import *  # noqa

def test_probe(client, coop):
    meeting = open_meeting(client, coop)
    res = f"{API}/assemblies/{meeting.assembly}/resolutions"
    for body in [
        {"title": "X", "text": "Y", "majority": "custom:>=" + "1" * 50 + "/" + "3" * 51},
        {"title": "X", "text": "Y", "majority": "custom:>3/5"},
        {"title": "X", "text": "Y", "majority": "custom:>=7/5"},
        {"title": "X", "text": "Y", "majority": "\u00e9" * 100},
    ]:
        r = client.post(res, json=body, headers=coop.secretary)
        print(r.status_code, r.text[:300])
    for body in [{"title": "AG", "kind": "AGO", "convocation": True, "scheduled_at": WHEN},
                 {"title": "AG", "kind": "AGO", "convocation": "2", "scheduled_at": WHEN},
                 {"title": "AG", "kind": "AGO", "convocation": 10**30, "scheduled_at": WHEN},
                 {"title": "AG", "kind": "AGO", "scheduled_at": "0001-01-01T00:00:00+01:00"},
                 {"title": "AG", "kind": "AGO", "scheduled_at": "2026-06-20T14:00:00+25:00"},
                 {"title": "AG", "kind": "AGO", "scheduled_at": 12},
                 ]:
        r = client.post(f"{API}/assemblies", json=body, headers=coop.secretary)
        print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/open", json={"deadline": "0001-01-01T00:30:00+01:00"}, headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/ballots", json={"choice": "for", "on_behalf_of": 99999}, headers=coop.tokens["Fondateurs 1"])
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/ballots", json={"choice": "null"}, headers=coop.tokens["Fondateurs 1"])
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/ballots", json={"choice": "for", "channel": "carrier pigeon"}, headers=coop.tokens["Fondateurs 1"])
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/ballots", json={"choice": "for", "channel": "proxy"}, headers=coop.tokens["Fondateurs 1"])
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/open", content=b"", headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/resolutions/{meeting.accounts}/open", content=b"null", headers={**coop.secretary, "content-type": "application/json"})
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/assemblies/{meeting.assembly}/attendance", json={"member": coop.id("Salariés 1"), "mode": "present", "holder": coop.id("Salariés 3")}, headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/assemblies/{meeting.assembly}/attendance", json={"member": coop.id("Salariés 1"), "mode": "remote"}, headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/assemblies/{meeting.assembly}/attendance", json={"member": coop.id("Salariés 1"), "mode": "present"}, headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.post(f"{API}/assemblies/{meeting.assembly}/attendance", json={"member": coop.id("Salariés 1"), "mode": "correspondence"}, headers=coop.secretary)
    print(r.status_code, r.text[:300])
    r = client.get(f"{API}/assemblies/{meeting.assembly}", headers=coop.tokens["Fondateurs 1"])
    print(r.status_code, r.text[:1500])
