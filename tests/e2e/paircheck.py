#!/usr/bin/env python3
"""paircheck.py — holds what a scheme saw from a pair of appliances against
what the core applied (ARCHITECTURE section 13).

usage: paircheck.py ANSWERS ADVICES DAILY_COUNT EXPOSURE_CAP
  ANSWERS   scheme-sim scheme --record-answers: DE7 STAN RRN DE39 DE38
  ADVICES   scheme-sim core --record: JSON lines
  DAILY_COUNT, EXPOSURE_CAP  the [Range default] DailyCount and the
            [StandIn] ExposureCap both appliances run with

Checks, each problem printed (the first 10 of a kind); exit 1 on any:
  - no advice is applied twice: the core applies one per (gateway, advice
    id) however often, and by whomever, it is delivered;
  - every approval the scheme saw has an applied stand-in approval;
  - no card has more stand-in approvals than DailyCount, and the
    approved amounts together stay within ExposureCap, across both.
Prints the figures: approvals, advices applied by gateway and by
deliverer, duplicates, double decisions, spend against the limits.
"""
import collections
import json
import sys

answers_path, advices_path = sys.argv[1], sys.argv[2]
daily_count, cap = int(sys.argv[3]), int(sys.argv[4])
problems = collections.defaultdict(list)

answers = {}
for line in open(answers_path):
    de7, stan, rrn, de39, de38 = line.split()
    answers[(stan, rrn)] = (de39, de38)

applied = {}                   # (gateway, advice id) -> record
repeats = 0
by_gw = collections.Counter()
by_deliverer = collections.Counter()
for line in open(advices_path):
    r = json.loads(line)
    if r.get("kind") != "advice":
        continue
    gw = r.get("gateway", "")
    aid = str(r.get("advice_id_tag", r.get("advice_id")))
    key = (gw, aid)
    if r.get("dup"):
        repeats += 1
        continue
    if key in applied:
        problems["applied_twice"].append("%s advice %s" % key)
        continue
    applied[key] = r
    by_gw[gw] += 1
    by_deliverer["%s by %s" % (gw, r.get("delivered_by", r.get("from", "?")))] += 1

# stand-in approvals applied, per request and per card
approvals = collections.defaultdict(list)
per_card = collections.Counter()
total = 0
for (gw, aid), r in applied.items():
    if r.get("standin_de39") != "00" or r.get("mti", "")[1:2] != "1":
        continue
    approvals[(r.get("stan"), r.get("rrn"))].append((gw, aid))
    per_card[r.get("pan")] += 1
    total += int(r.get("amount", "0"))

seen = 0
for (stan, rrn), (de39, de38) in answers.items():
    if de39 != "00":
        continue
    seen += 1
    if (stan, rrn) not in approvals:
        problems["approval_missing"].append("STAN %s RRN %s (%s)" %
                                            (stan, rrn, de38))
double = sum(1 for v in approvals.values() if len(v) > 1)
unseen = sum(1 for k in approvals if answers.get(k, ("", ""))[0] != "00")
for pan, n in per_card.items():
    if n > daily_count:
        problems["card_over_limit"].append("%s: %d approvals, limit %d" %
                                           (pan, n, daily_count))
if total > cap:
    problems["exposure_over_cap"].append("%d approved, cap %d" % (total, cap))

print("   scheme saw %d answers, %d approvals" % (len(answers), seen))
print("   core applied %d advices (%s), %d repeats not applied" %
      (len(applied), ", ".join("%s %d" % kv for kv in sorted(by_gw.items())),
       repeats))
print("   delivered: %s" % ", ".join("%s %d" % kv
                                     for kv in sorted(by_deliverer.items())))
print("   stand-in approvals applied %d on %d requests: double decisions %d,"
      " approvals the scheme did not see as approved %d" %
      (sum(len(v) for v in approvals.values()), len(approvals), double,
       unseen))
print("   spend: %d of ExposureCap %d; most approvals on one card %d of "
      "DailyCount %d" % (total, cap, max(per_card.values() or [0]),
                         daily_count))
for kind, items in problems.items():
    print("   PROBLEM %s: %d, e.g. %s" % (kind, len(items), items[:10]))
sys.exit(1 if problems else 0)
