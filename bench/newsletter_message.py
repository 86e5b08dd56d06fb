#!/usr/bin/env python3
"""Per-recipient newsletter message building: Nashr's
:class:`~nashr.newsletter.message.PreparedIssue` beside Python's
:class:`email.message.EmailMessage`, with the same issue and recipients.

    python bench/newsletter_message.py [--messages 10000] [--repeat 3] [--django] [--dkim]

What it does (in this one process; the temporary directory is removed at
the end):

1. A fresh data directory (``NASHR_DATA_DIR``) in a temporary directory,
   ``migrate``, and the demo publication of ``nashr/site/demo/content.json``
   (:func:`nashr.site.demo.loader.demo_create`). The issue is made for the
   demo article with the longest body and rendered once
   (:func:`nashr.newsletter.rendering.issue_render`), as the sending
   pipeline does.
2. ``--messages`` recipients with Arabic names (and a few ASCII and empty
   ones), each with its own unsubscribe and manage URLs (64-character
   tokens), made before timing.
3. Timed, each ``--repeat`` times (the best run is reported, with the
   median beside it), building every recipient's complete message as bytes
   ready for SMTP ``DATA``:

   - **Nashr**: ``issue_prepare(issue=...)`` once (timed apart), then
     ``prepared.build(...)`` per recipient;
   - **EmailMessage**: per recipient an ``EmailMessage`` with the same
     headers (From/To with display names, Subject, Date, Message-ID,
     List-Id, List-Unsubscribe, List-Unsubscribe-Post), the text and HTML
     parts with the links substituted (``set_content`` /
     ``add_alternative``), then ``as_bytes(policy=email.policy.SMTP)``;
   - with ``--django``: Django's ``EmailMultiAlternatives(...).message()
     .as_bytes()`` the same way;
   - with ``--dkim``: Nashr with DKIM signing (dkimpy, a 2048-bit RSA key
     made by ``openssl``) on a tenth of the messages.

   One message of each kind is parsed back with ``email.policy.default`` to
   check that they carry the same subject, recipient and parts.
4. Prints messages per second and microseconds per message, and writes the
   numbers to ``bench/results/newsletter_message-<date>.json`` (not with
   ``--no-write``).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SITE_URL = "https://news.example.com"

FIRST_NAMES = ["سارة", "محمد", "لينا", "عبد الرحمن", "فاطمة الزهراء", "يوسف", "مريم", "خالد", "نور", "عمر"]
LAST_NAMES = ["الحسن", "القرشي", "بن علي", "الشامي", "المصري", "العتيبي", "الحسيني", "منصور"]


def machine_info() -> dict:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def recipients(n: int) -> list[dict]:
    people = []
    for i in range(n):
        if i % 50 == 7:
            name = ""
        elif i % 50 == 13:
            name = "Sam O'Neil"
        else:
            name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 7) % len(LAST_NAMES)]}"
        token = secrets.token_urlsafe(48)  # 64 characters
        people.append({
            "to_email": f"reader{i}@example.org",
            "to_name": name,
            "unsubscribe_url": f"{SITE_URL}/newsletter/unsubscribe/{token}/",
            "manage_url": f"{SITE_URL}/newsletter/manage/{token}/",
        })
    return people


def timed(fn, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return runs


def emailmessage_builder(*, issue, html_template: str, text_template: str):
    """The straightforward way: one ``EmailMessage`` per recipient."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    from django.conf import settings

    from nashr.newsletter.message import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE

    domain = SITE_URL.split("://", 1)[1]
    from_local, from_domain = settings.NASHR_NEWSLETTER_FROM_EMAIL.split("@")

    def build(*, to_email: str, to_name: str, unsubscribe_url: str, manage_url: str) -> bytes:
        msg = EmailMessage()
        msg["From"] = Address(settings.NASHR_NEWSLETTER_FROM_NAME, from_local, from_domain)
        local, _, host = to_email.partition("@")
        msg["To"] = Address(to_name, local, host)
        msg["Subject"] = issue.subject
        msg["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
        msg["Message-ID"] = f"<{uuid.uuid4().hex}.{issue.pk}@{domain}>"
        msg["List-Id"] = f"{settings.NASHR_SITE_NAME} <newsletter.{domain}>"
        msg["List-Unsubscribe"] = (f"<{unsubscribe_url}>, "
                                   f"<mailto:{settings.NASHR_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(text_template.replace(PLACEHOLDER_UNSUBSCRIBE, unsubscribe_url)
                        .replace(PLACEHOLDER_MANAGE, manage_url))
        msg.add_alternative(html_template.replace(PLACEHOLDER_UNSUBSCRIBE, unsubscribe_url)
                            .replace(PLACEHOLDER_MANAGE, manage_url), subtype="html")
        return msg.as_bytes(policy=email.policy.SMTP)

    return build


def django_builder(*, issue, html_template: str, text_template: str):
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.core.mail.message import make_msgid

    from nashr.newsletter.message import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE

    sender = f"{settings.NASHR_NEWSLETTER_FROM_NAME} <{settings.NASHR_NEWSLETTER_FROM_EMAIL}>"

    def build(*, to_email: str, to_name: str, unsubscribe_url: str, manage_url: str) -> bytes:
        to = f"{to_name} <{to_email}>" if to_name else to_email
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=text_template.replace(PLACEHOLDER_UNSUBSCRIBE, unsubscribe_url)
            .replace(PLACEHOLDER_MANAGE, manage_url),
            from_email=sender, to=[to],
            headers={
                "Message-ID": make_msgid(domain="news.example.com"),
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(html_template.replace(PLACEHOLDER_UNSUBSCRIBE, unsubscribe_url)
                                   .replace(PLACEHOLDER_MANAGE, manage_url), "text/html")
        return message.message().as_bytes(linesep="\r\n")

    return build


def check_same_message(data: bytes, person: dict, issue) -> None:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    # strip(): Django folds right after "Subject:", and Python's parser then
    # keeps a leading space
    assert msg["Subject"].strip() == issue.subject, msg["Subject"]
    assert msg["To"].addresses[0].addr_spec == person["to_email"]
    text, html = msg.iter_parts()
    assert person["unsubscribe_url"] in text.get_content()
    assert person["manage_url"] in html.get_content()
    assert issue.article.title in text.get_content()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--django", action="store_true", help="also time Django's EmailMultiAlternatives")
    parser.add_argument("--dkim", action="store_true", help="also time Nashr with DKIM signing")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="nashr-bench-msg-"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> None:
    for key in [k for k in os.environ if k.startswith("NASHR_")] + ["DATABASE_URL"]:
        os.environ.pop(key, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "nashr.site.settings",
        "NASHR_DATA_DIR": str(tmp / "data"),
        "NASHR_SITE_URL": SITE_URL,
        "NASHR_NEWSLETTER_FROM_NAME": "نشرة الصباح — أخبار مستقلة كل صباح",
        "NASHR_NEWSLETTER_FROM_EMAIL": "news@news.example.com",
        "NASHR_UNSUBSCRIBE_MAILTO": "unsubscribe@news.example.com",
        "NASHR_LOG_LEVEL": "WARNING",
    })
    sys.path.insert(0, str(REPO_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    from nashr.articles.blocks import body_plain_text
    from nashr.articles.models import ArticlePage
    from nashr.newsletter.message import issue_prepare
    from nashr.newsletter.models import Issue
    from nashr.newsletter.rendering import issue_render
    from nashr.site.demo.loader import demo_create

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    demo_create()
    print(f"setup (migrate + demo): {time.perf_counter() - t0:.1f} s", flush=True)

    article = max(ArticlePage.objects.live(), key=lambda a: len(body_plain_text(a.body)))
    issue = Issue.objects.create(article=article, subject=article.title)
    t0 = time.perf_counter()
    html, text = issue_render(issue=issue)
    t_render = time.perf_counter() - t0
    issue.html_template, issue.text_template = html, text
    issue.save()
    print(f"issue: {article.title!r}; rendered once in {t_render * 1000:.0f} ms; "
          f"HTML {len(html.encode()):,} bytes, text {len(text.encode()):,} bytes", flush=True)

    people = recipients(args.messages)
    results: dict[str, dict] = {}

    t0 = time.perf_counter()
    prepared = issue_prepare(issue=issue, signer=None)
    t_prepare = time.perf_counter() - t0

    def nashr_run(items=people, prepared=prepared):
        build = prepared.build
        for person in items:
            build(**person)

    baseline = emailmessage_builder(issue=issue, html_template=html, text_template=text)

    def emailmessage_run():
        for person in people:
            baseline(**person)

    runs = [("nashr", "Nashr PreparedIssue.build", nashr_run, len(people)),
            ("emailmessage", "email.message.EmailMessage", emailmessage_run, len(people))]
    samples = {"nashr": prepared.build(**people[0]).data, "emailmessage": baseline(**people[0])}

    if args.django:
        dj = django_builder(issue=issue, html_template=html, text_template=text)

        def django_run():
            for person in people:
                dj(**person)

        runs.append(("django", "Django EmailMultiAlternatives", django_run, len(people)))
        samples["django"] = dj(**people[0])

    if args.dkim:
        from dkim import dknewkey

        from nashr.newsletter.dkim import dkim_signer

        key = tmp / "dkim.pem"
        dknewkey.GenRSAKeys(str(key), verbose=False)
        signed = issue_prepare(issue=issue, signer=dkim_signer(
            selector="bench", domain="news.example.com", private_key=key.read_bytes()))
        few = people[: max(1, len(people) // 10)]

        def dkim_run():
            build = signed.build
            for person in few:
                build(**person)

        runs.append(("nashr_dkim", "Nashr PreparedIssue.build + DKIM (dkimpy)", dkim_run, len(few)))
        samples["nashr_dkim"] = signed.build(**people[0]).data

    for name, data in samples.items():
        try:
            check_same_message(data, people[0], issue)
        except AssertionError as exc:
            head = data.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
            raise SystemExit(f"{name}: the message differs: {exc}\n{head}") from None
    sizes = {name: len(data) for name, data in samples.items()}

    for key, label, fn, count in runs:
        print(f"timing {label} × {count:,} ({args.repeat} runs)...", flush=True)
        seconds = timed(fn, args.repeat)
        best = min(seconds)
        results[key] = {
            "label": label, "messages": count, "runs_s": [round(s, 4) for s in seconds],
            "best_s": round(best, 4), "median_s": round(statistics.median(seconds), 4),
            "messages_per_s": round(count / best, 1),
            "median_messages_per_s": round(count / statistics.median(seconds), 1),
            "us_per_message": round(best / count * 1e6, 1), "message_bytes": sizes[key],
        }

    print()
    print(f"{'builder':45} {'messages/s':>12} {'(median)':>12} {'µs/message':>11} {'bytes':>8}")
    for key, res in results.items():
        print(f"{res['label']:45} {res['messages_per_s']:>12,.0f} {res['median_messages_per_s']:>12,.0f} "
              f"{res['us_per_message']:>11,.1f} {res['message_bytes']:>8,}")
    speedup = results["nashr"]["messages_per_s"] / results["emailmessage"]["messages_per_s"]
    print(f"\nNashr is {speedup:,.0f}× EmailMessage; issue_prepare once: {t_prepare * 1000:.2f} ms; "
          f"issue_render once: {t_render * 1000:.0f} ms")

    if not args.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        started = dt.datetime.now(dt.timezone.utc).astimezone()
        out = RESULTS_DIR / f"newsletter_message-{started.date().isoformat()}.json"
        out.write_text(json.dumps({
            "started_at": started.isoformat(timespec="seconds"), "machine": machine_info(),
            "command": " ".join(["python", "bench/newsletter_message.py", *sys.argv[1:]]),
            "issue": {"article": article.title, "html_bytes": len(html.encode()),
                      "text_bytes": len(text.encode()), "render_once_ms": round(t_render * 1000, 1),
                      "prepare_once_ms": round(t_prepare * 1000, 3)},
            "results": results, "nashr_vs_emailmessage": round(speedup, 1),
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(REPO_DIR)}")


if __name__ == "__main__":
    main()
