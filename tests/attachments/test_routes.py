"""Uploads at, below and above the size limit; safe downloads; tenant isolation."""

import hashlib

from tests.attachments.conftest import LIMIT


def _files(data: bytes, name: str = "report.txt", content_type: str = "text/plain"):
    return {"file": (name, data, content_type)}


def _stored(small_dir, sha256):
    return (small_dir / "attachments" / sha256[:2] / sha256[2:4] / sha256).exists()


async def test_sizes_at_below_above_the_limit_and_empty(small, upload_dir):
    ticket = await small.create_ticket()
    url = f"/tickets/{ticket['key']}/attachments"
    for size in (LIMIT, LIMIT - 1, 0):
        data = bytes([size % 251]) * size
        response = await small.post(url, role="agent", files=_files(data))
        assert response.status_code == 201, (size, response.text)
        body = response.json()
        assert body["size"] == size
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert _stored(upload_dir, body["sha256"])
        download = await small.get(f"/attachments/{body['id']}", role="viewer")
        assert download.status_code == 200
        assert download.content == data
    for size in (LIMIT + 1, LIMIT + 200_000):
        data = b"\x07" * size
        response = await small.post(url, files=_files(data))
        assert response.status_code == 413, (size, response.text)
        assert not _stored(upload_dir, hashlib.sha256(data).hexdigest())
    listed = (await small.get(url)).json()
    assert sorted(a["size"] for a in listed) == [0, LIMIT - 1, LIMIT]


async def test_download_headers_are_safe(tenant):
    ticket = await tenant.create_ticket()
    html = b"<script>alert(document.cookie)</script>"
    response = await tenant.post(
        f"/tickets/{ticket['key']}/attachments",
        files=_files(html, name='../../etc/"évil".html', content_type="text/html"),
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert "/" not in attachment["filename"]
    assert '"' not in attachment["filename"]
    download = await tenant.get(f"/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "html" not in download.headers["content-type"]
    assert download.content == html
    events = await tenant.get(f"/tickets/{ticket['key']}/activity?type=ticket.attachment_added")
    assert len(events.json()["items"]) == 1


async def test_attachments_never_cross_workspaces(tenant, other_tenant):
    ticket = await tenant.create_ticket()
    uploaded = (
        await tenant.post(f"/tickets/{ticket['key']}/attachments", files=_files(b"secret"))
    ).json()
    assert (await other_tenant.get(f"/attachments/{uploaded['id']}")).status_code == 404
    foreign = await other_tenant.post(
        f"/tickets/{ticket['id']}/attachments", files=_files(b"intrusion")
    )
    assert foreign.status_code == 404
    viewer = await tenant.post(
        f"/tickets/{ticket['key']}/attachments", role="viewer", files=_files(b"x")
    )
    assert viewer.status_code == 403
    missing_part = await tenant.post(f"/tickets/{ticket['key']}/attachments", data={"x": "y"})
    assert missing_part.status_code == 422
    extra = await tenant.post(
        f"/tickets/{ticket['key']}/attachments", files=_files(b"x"), data={"comment": "y"}
    )
    # other parts are ignored (browsers and form libraries add their own); the file is stored
    assert extra.status_code == 201
    assert extra.json()["size"] == 1
    listed = (await tenant.get(f"/tickets/{ticket['key']}/attachments")).json()
    assert [a["id"] for a in listed] == [uploaded["id"], extra.json()["id"]]


async def test_comment_attachments_show_on_the_comment_and_the_merge_target(tenant):
    source = await tenant.create_ticket(subject="source")
    target = await tenant.create_ticket(subject="target")
    comment = (
        await tenant.post(f"/tickets/{source['key']}/comments", json={"body": "see file"})
    ).json()
    response = await tenant.post(
        f"/tickets/{source['key']}/comments/{comment['id']}/attachments",
        files=_files(b"log line", name="app.log"),
    )
    assert response.status_code == 201, response.text
    wrong = await tenant.post(
        f"/tickets/{target['key']}/comments/{comment['id']}/attachments", files=_files(b"x")
    )
    assert wrong.status_code == 404
    await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    [listed] = (await tenant.get(f"/tickets/{target['key']}/comments")).json()
    assert [a["filename"] for a in listed["attachments"]] == ["app.log"]
    files = (await tenant.get(f"/tickets/{target['key']}/attachments")).json()
    assert [a["filename"] for a in files] == ["app.log"]
