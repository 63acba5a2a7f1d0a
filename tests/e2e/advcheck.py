#!/usr/bin/env python3
"""advcheck.py — holds every answer the scheme saw against the advices the
core received (ARCHITECTURE section 4, ADVICE): a request stand-in answered
has exactly one advice (one advice id, however often it was delivered),
whose tag 39 and tag 0x1004 are both the DE39 the scheme was sent; a
request the core answered has none; no advice is for a request the scheme
never saw answered.  An advice is known by the gateway that made it and
that gateway's id ("gateway" and "advice_id" in the record; a pair of
gateways delivers each other's advices under their own corr_ids), or by its
id alone in a record without "gateway".

usage: advcheck.py ANSWERS ADVICES CORE_MARK [LAST_ID]
  ANSWERS  scheme-sim scheme --record-answers: DE7 STAN RRN DE39 DE38
  ADVICES  scheme-sim core --record: JSON lines
  CORE_MARK  the first character of the core's approval codes; the core
           of this test approves everything, so an answer is the core's
           when it is 00 with such a DE38
  LAST_ID  the gateway's last durable advice id (gatewayctl saf), or
           FIRST-LAST (its first_id too: ids go on from the store's
           creation time): every id from FIRST (default 1) to LAST must
           have reached the core (from some gateway:
           with one gateway, its own); for a pair NAME:N,NAME:N, each
           gateway's ids from 1 to its N
prints the counts and each problem (the first 20); exit 1 on any problem.
"""
import collections
import json
import sys

answers_path, advices_path, mark = sys.argv[1], sys.argv[2], sys.argv[3]
last_ids = {}          # gateway name (None: any) -> (first id, last id)
if len(sys.argv) > 4:
    for part in sys.argv[4].split(","):
        gw, _, n = part.rpartition(":")
        first, _, last = n.rpartition("-")
        last_ids[gw if ":" in part else None] = (int(first or 1), int(last))
problems = []


def problem(kind, text):
    problems.append((kind, text))


answers = {}
for line in open(answers_path):
    de7, stan, rrn, de39, de38 = line.split()
    key = (stan, rrn)
    if key in answers:
        problem("answered_twice", "STAN %s RRN %s" % key)
    answers[key] = (de39, de38)

def ident(r):
    """(gateway, advice id), as the core deduplicates; an id alone
    before records named the gateway."""
    return (r.get("gateway", ""), r["advice_id"])


def name(r):
    return ("%s/%s" % (r["gateway"], r["advice_id"]) if r.get("gateway")
            else str(r["advice_id"]))


advices = {}            # (gateway, advice id) -> its first record
deliveries = 0
for line in open(advices_path):
    r = json.loads(line)
    if r.get("kind") != "advice":
        continue
    deliveries += 1
    advices.setdefault(ident(r), r)
by_request = collections.defaultdict(list)
for aid, r in advices.items():
    by_request[(r.get("stan"), r.get("rrn"))].append(r)

core = 0
standin = collections.Counter()
for key, (de39, de38) in sorted(answers.items()):
    advs = by_request.pop(key, [])
    who = "STAN %s RRN %s DE39 %s DE38 %s" % (key + (de39, de38))
    if de39 == "00" and de38.startswith(mark):
        core += 1
        if advs:
            problem("core_answer_advised", "%s: advice %s" % (who,
                    name(advs[0])))
        continue
    standin[de39] += 1
    if not advs:
        problem("missing", who + ": no advice")
        continue
    if len(advs) > 1:
        problem("duplicate", "%s: %d advices (ids %s)" % (who, len(advs),
                ",".join(name(a) for a in advs)))
    for a in advs:
        if a.get("de39") != de39 or a.get("standin_de39") != de39:
            problem("mismatch", "%s: advice %s (%s) says tag39=%s 0x1004=%s"
                    " reason=%s" % (who, name(a), a.get("mti"),
                                    a.get("de39"), a.get("standin_de39"),
                                    a.get("standin_reason")))
for key, advs in sorted(by_request.items()):
    for a in advs:
        problem("orphan", "advice %s (%s) STAN %s RRN %s DE39 %s: no such "
                "answer" % (name(a), a.get("mti"), key[0], key[1],
                            a.get("de39")))

ids = set(aid for _, aid in advices)
for gw, (first, last) in sorted(last_ids.items(), key=lambda kv: kv[0] or ""):
    for aid in range(first, last + 1):
        if (aid not in ids) if gw is None else ((gw, aid) not in advices):
            problem("undelivered", "advice id %s%d never reached the core"
                    % (gw + "/" if gw else "", aid))

kinds = collections.Counter(k for k, _ in problems)
print("requests=%d core=%d standin=%d standin_by_de39=%s" % (
    len(answers), core, sum(standin.values()),
    ",".join("%s:%d" % kv for kv in sorted(standin.items()))))
print("advices=%d deliveries=%d approvals_standin=%d" % (
    len(advices), deliveries, standin["00"]))
print("problems=%d %s" % (len(problems), " ".join(
    "%s=%d" % kv for kv in sorted(kinds.items()))))
for k, t in problems[:20]:
    print("  %s: %s" % (k, t))
sys.exit(1 if problems else 0)
