"""A database shaped like the real archive's at its scale, for the report's scale test and
bench/report.py: 125,000 sources, most of them GNews articles, thousands dead (whole small
hosts dying in one crawl, GNews articles dying a few hundred a night), some changed, some
unfaithful with hunks, every source titled.

Rows are written straight into the store's own schema (a crawl of 125,000 pages would take
hours); their values follow what the crawler records.  Some titles, details, paths and
hunks are text crafted to break out of HTML elements, attributes and SVG: the report must
show them as text.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from store.db import Store, iso

SOURCES = 125_000
HOSTILE = [
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(2)>",
    "</title></svg><svg onload=alert(3)>",
    "<a href=\"javascript:alert(4)\">点我</a>",
    "</style><style>body{display:none}</style>",
    "]]><!--<iframe src=//evil.test>-->",
]
_WORDS = ("美国", "中共", "香港", "台湾", "经济", "制裁", "法院", "报道", "官员", "会议", "调查", "人权",
          "选举", "疫情", "贸易", "消息", "政府", "银行", "军队", "学生")
DAY = 86400.0
START = 1_577_836_800.0  # 2020-01-01: the reposts' months run from here


def _title(rng: random.Random, n: int) -> str:
    if n % 997 == 0:
        return f"标题{rng.choice(HOSTILE)}{n}"
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))) + f"（{n}）"


def build(path: Path, sources: int = SOURCES, seed: int = 17) -> dict[str, int]:
    """Write the database at `path`; returns how many sources are dead, changed, unfaithful."""
    rng = random.Random(seed)
    store = Store(path)
    # The report reads no search index: indexing 125,000 synthetic texts would only slow this.
    for table in ("versions", "reposts"):
        store.db[table].disable_fts()
    conn = store.db.conn
    now = 1_764_000_000.0
    crawls = [now - DAY * k for k in range(30, 0, -1)]
    counts = {"dead": 0, "changed": 0, "unfaithful": 0, "hosts_dying": 0}
    # A tenth of the sources are on 250 small hosts, 20 of which die whole, each in one crawl.
    small_hosts = [f"blog{k}.example" for k in range(250)]
    dying = {h: rng.randrange(len(crawls)) for h in rng.sample(small_hosts, 20)}
    counts["hosts_dying"] = len(dying)
    crawl_at = [iso(t) for t in crawls]
    prose = ["".join(rng.choice(_WORDS) for _ in range(60)) for _ in range(500)]
    conn.execute("BEGIN")
    # Sources point at their latest version and versions at their source: checked at commit.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    conn.executemany("INSERT INTO crawls (id, started_at, finished_at, outcome, pid, counts) VALUES (?, ?, ?, ?, 0, '{}')",
                     [(k + 1, iso(t), iso(t + 3600), "completed") for k, t in enumerate(crawls)])
    src_rows, repost_rows, version_rows, check_rows, fid_rows = [], [], [], [], []
    version_id = check_id = fid_id = 0
    for n in range(1, sources + 1):
        if n % 10:
            host, url = "gnews.org", f"https://gnews.org/articles/{2_000_000 + n}"
        else:
            host = small_hosts[(n // 10) % len(small_hosts)]
            url = f"https://{host}/{n}.html"
        published = START + rng.random() * 4 * 365 * DAY
        title = _title(rng, n)
        dead = False
        status, first_dead, detail = "alive", None, ""
        http: int | None = 200
        if host in dying:
            dead, status, http = True, "unreachable" if n % 3 else "gone", None if n % 3 else 404
            first_dead = crawls[dying[host]] + rng.random() * 600
        elif rng.random() < 0.02 + 0.06 * (now - published) / (4 * 365 * DAY):
            # Older articles are more often gone: the link-rot curve rises with age.
            dead, status, http = True, rng.choice(("gone", "gone", "soft_404")), 404
            first_dead = crawls[rng.randrange(len(crawls))] + rng.random() * 3000
            if status == "soft_404":
                http, detail = 200, f"the page reads as an error page: title 页面不存在 {rng.choice(HOSTILE)}"
        changed = not dead and rng.random() < 0.03
        unfaithful = not dead and rng.random() < 0.02
        counts["dead"] += dead
        counts["changed"] += changed
        counts["unfaithful"] += unfaithful
        versions = 0 if dead and host in dying else (2 if changed else 1)
        latest = None
        text = f"{title}。据报道，{prose[n % len(prose)]}。"
        for number in range(1, versions + 1):
            version_id += 1
            latest = version_id
            seen = crawl_at[0] if number == 1 else crawl_at[rng.randrange(1, len(crawls))]
            body = text if number == 1 else text + "编辑后新增的一句话，说明了更多情况。"
            version_rows.append((version_id, n, number, title, body, body, seen, seen))
        last_checked = iso(crawls[-1] + rng.random() * 3000)
        check_id += 1
        check_rows.append((check_id, n, len(crawls), last_checked, url, http, status, int(dead),
                           detail or f"{http or 'no'} response"))
        changed_at = version_rows[-1][6] if changed else None
        src_rows.append((n, url, host, "[]", crawl_at[0], status, int(dead), http, last_checked,
                         None if dead else last_checked, iso(first_dead) if first_dead else None, versions,
                         changed_at, latest, 0.62 if unfaithful else 1.0 if versions else None,
                         (0 if unfaithful else 1) if versions else None,
                         f"https://web.archive.org/web/2023/{url}" if dead and n % 4 == 0 else None))
        where = f"content/gnews/{n}.md" if host == "gnews.org" else f"content/blogs/{n}{'<b>' if n % 991 == 0 else ''}.md"
        dated = iso(published)
        repost_rows.append((n, where, "repost", n, url, title, dated, "正文", crawl_at[0], dated))
        if versions:
            fid_id += 1
            hunks = []
            if unfaithful:
                hunks = [{"op": "altered", "repost": "转载者改写的一句话" + (rng.choice(HOSTILE) if n % 7 == 0 else ""),
                          "original": "原文本来的一句话，内容完全不同。", "repost_marks": [[0, 9]],
                          "original_marks": [[0, 15]]},
                         {"op": "missing", "repost": "", "original": "原文中被删去的一段话，转载里没有。"}]
            fid_rows.append((fid_id, n, n, check_id, latest, last_checked, 0.62 if unfaithful else 1.0,
                             0 if unfaithful else 1, json.dumps(hunks, ensure_ascii=False)))
    conn.executemany(
        "INSERT INTO sources (id, url, host, aliases, created_at, link_status, dead, http_status, last_checked_at, "
        "last_alive_at, first_dead_at, versions, changed_at, latest_version_id, fidelity, faithful, archived_copy) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", src_rows)
    conn.executemany(
        "INSERT INTO reposts (id, path, kind, source_id, linked_url, title, published_at, body, first_seen_at, "
        "dated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", repost_rows)
    conn.executemany(
        "INSERT INTO versions (id, source_id, number, title, text, normalized, first_seen_at, last_seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", version_rows)
    conn.executemany(
        "INSERT INTO checks (id, source_id, crawl_id, checked_at, url, http_status, link_status, dead, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", check_rows)
    conn.executemany(
        "INSERT INTO fidelity (id, repost_id, source_id, check_id, version_id, checked_at, similarity, faithful, "
        "hunks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fid_rows)
    conn.execute("COMMIT")
    store.close()
    return counts
