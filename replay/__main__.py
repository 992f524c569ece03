"""``python -m replay --as-of 2020-08-05 --port 8000``: serve the replay site for manual use.

``--as-of`` takes an ISO date or a step name from ``replay.timeline.STEPS``.  Prints the base URL
and the entry points (listing, feed) and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence

from replay.server import ReplayServer
from replay.timeline import STEPS, resolve_as_of


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replay", description=__doc__.split("\n")[0])
    parser.add_argument("--as-of", default="latest",
                        help=f"ISO date or step name ({', '.join(STEPS)}); default: latest")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args(argv)
    try:
        as_of = resolve_as_of(args.as_of)
    except ValueError as exc:
        parser.error(str(exc))
    server = ReplayServer(as_of, port=args.port).start()
    print(f"replay site as of {as_of.isoformat()} at {server.url}")
    print(f"  CIW news:      {server.url}/careinspectorate.wales/news")
    print(f"  (www chrome):  {server.url}/www.careinspectorate.wales/news")
    print(f"  council feed:  {server.url}/news.wrexham.gov.uk/feed/")
    print(f"  wrexham.com:   {server.url}/wrexham.com/news/")
    print(f"  gov.wales:     {server.url}/gov.wales/announcements/rss")
    print("Ctrl-C stops.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
