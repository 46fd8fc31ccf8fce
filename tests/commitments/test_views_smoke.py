def test_smoke(app, client, login, cworld):
    login("lead@example.org")
    pid = cworld["proposal"]
    for url in [
        f"/proposals/{pid}/commitments",
        f"/proposals/{pid}/commitments/{cworld['part_a']}",
        f"/proposals/{pid}/commitments/outbox",
        f"/proposals/{pid}/commitments/board.csv",
        f"/proposals/{pid}/commitments/board.xlsx",
        f"/proposals/{pid}/commitments/{cworld['part_a']}/letter.docx?lang=fr",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
