#!/usr/bin/env bash
# The monthly calibration tables of configs/DATA.md ("Seasons: the monthly calibration")
# against configs/soybeans-2024-25.yaml, so that neither can drift from the other:
#  - every month's harvest, domestic use, route flow and consumption follows the stated
#    rule from the source tables (harvest shares, China's 2024 customs figures, shipment
#    and use weights, WASDE stocks) to 0.01 Mt;
#  - the twelve months add up to the YAML's annual totals (production, production minus
#    exports, every route's flow, imports) exactly at two decimals, and so do the "year"
#    rows;
#  - every closing stock is the previous one plus what came in minus what went out (MODEL.md
#    Part 2's balances), is never negative, and ends the year where it opened; each
#    opening stock follows the rule the opening-stocks table names;
#  - an importer's "from X" column is exactly exporter X's "to importer" column;
#  - the quarters are the sums of their months; the tariff path by month follows from the
#    dated changes; the observed 2025 US arrivals add up to China's reported 2025 total.
# Then it breaks a copy of the tables twice and of the YAML once and requires each broken
# copy to be refused, so the check is known to be able to fail.
set -u
PYTHON=${PYTHON:-/usr/bin/python3}
DATA=${DATA:-configs/DATA.md}
YAML=${YAML:-configs/soybeans-2024-25.yaml}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_data_tables: $*" >&2; exit 1; }

cat >"$tmp/check.py" <<'EOF'
import calendar, datetime, re, sys
import yaml

data_path, yaml_path = sys.argv[1], sys.argv[2]
errors = []
def err(msg): errors.append(msg)
def close(a, b, tol=0.0051): return abs(a - b) <= tol

with open(yaml_path) as f:
    cfg = yaml.safe_load(f)
EX = list(cfg["exporters"]); IM = list(cfg["importers"])
prod = {e: float(cfg["exporters"][e]["production"]) for e in EX}
expo = {e: float(cfg["exporters"][e]["exports"]) for e in EX}
flow = {(e, j): float(cfg["routes"][e][j]["flow"]) for e in EX for j in IM}

text = open(data_path).read()
def tables(section_text):
    """Every '#### title' followed by a markdown table: title -> (header, rows)."""
    out = {}
    for m in re.finditer(r"^#### (.+?)\n\n((?:\|.*\n?)+)", section_text, re.M):
        lines = [l.strip() for l in m.group(2).strip().split("\n")]
        cells = [[c.strip() for c in l.strip("|").split("|")] for l in lines]
        out[m.group(1).strip()] = (cells[0], cells[2:])
    return out
m = re.search(r"^## Seasons: the monthly calibration\n(.*?)(?=^## |\Z)", text, re.M | re.S)
if not m:
    sys.exit("no section '## Seasons: the monthly calibration' in " + data_path)
T = tables(m.group(1))
def get(title):
    if title not in T:
        sys.exit("missing table '#### %s'" % title)
    return T[title]
def num(s, where):
    try:
        return float(s)
    except ValueError:
        sys.exit("%s: '%s' is not a number" % (where, s))
def by_first(title):
    head, rows = get(title)
    return head, {r[0]: r for r in rows}

MY = ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"]
MON = ["2024-%02d" % k for k in (9, 10, 11, 12)] + ["2025-%02d" % k for k in range(1, 9)]
def series(title, name):
    head, rows = by_first(title)
    if head[1:13] != MY:
        sys.exit("table '%s': columns must be the months Sep..Aug" % title)
    if name not in rows:
        sys.exit("table '%s' has no row '%s'" % (title, name))
    return [num(v, "%s, %s" % (title, name)) for v in rows[name][1:13]]

# China's annual customs figures, from the table the annual calibration is built on.
am = re.search(r"^### China's imports by origin.*?\n\n((?:\|.*\n?)+)", text, re.M)
if not am:
    sys.exit("no table '### China's imports by origin' in " + data_path)
ahead, arows = tables("#### annual\n\n" + am.group(1))["annual"]
annual = {r[0]: dict(zip(ahead, r)) for r in arows}
a24 = {k: num(annual["2024"][k], "annual China 2024")
       for k in ("total", "US", "Brazil", "Argentina")}
us2025 = num(annual["2025"]["US"], "annual China 2025")

# The 2024 customs table: rows add up, columns give the annual figures.
head, rows = by_first("China's soybean imports by origin, 2024 (Mt, China customs)")
cal = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
c24 = {}
for mo in cal:
    if mo not in rows:
        sys.exit("China 2024 table: no row %s" % mo)
    c24[mo] = dict(zip(head[1:], [num(v, "China 2024 " + mo) for v in rows[mo][1:6]]))
    parts = sum(c24[mo][k] for k in ("US", "Brazil", "Argentina", "other"))
    if not close(parts, c24[mo]["total"]):
        err("China 2024 %s: origins add up to %.2f, total says %.2f" % (mo, parts, c24[mo]["total"]))
for k in ("total", "US", "Brazil", "Argentina"):
    s = sum(c24[mo][k] for mo in cal)
    if not close(s, a24[k]):
        err("China 2024 %s: months add up to %.2f, the annual table says %.2f" % (k, s, a24[k]))
origin_col = {"US": "US", "Brazil": "Brazil", "Argentina": "Argentina", "Other exporters": "other"}
china_prof = {e: [c24[mo][origin_col[e]] if e in origin_col else 0.0 for mo in MY] for e in EX}

ship = {e: series("Shipment weights (by month of shipment)", e) for e in EX}
for e in EX:
    if min(ship[e]) < 0 or sum(ship[e]) <= 0:
        err("shipment weights %s: negative, or nothing shipped" % e)
harv = {e: series("Harvest shares (% of the year's crop)", e) for e in EX}
for e in EX:
    if not close(sum(harv[e]), 100, 1e-6):
        err("harvest shares %s add up to %g %%" % (e, sum(harv[e])))
uw_title = "Use weights (domestic use of exporters, consumption of importers)"
uw = {r: series(uw_title, r) for r in EX + IM}
_, stk = by_first("Opening stocks (Mt)")
def wasde(r, col):
    v = stk[r][col]
    return None if v == "-" else num(v, "opening stocks " + r)

def month_rows(title, ncol):
    head, rows = get(title)
    body = {r[0]: r for r in rows}
    if [r[0] for r in rows] != ["opening"] + MON + ["year"]:
        sys.exit("table '%s': rows must be opening, %s..%s, year" % (title, MON[0], MON[-1]))
    vals = [[num(v, "%s %s" % (title, r)) for v in body[r][1:1 + ncol]] for r in MON]
    for t, row in enumerate(vals):   # stocks are checked by check_stocks
        if min(row[:-1]) < 0:
            err("%s %s: a negative quantity" % (title, MON[t]))
    return head, body, vals

def check_stocks(title, opening, net, closing):
    for t in range(12):
        s = round((closing[t - 1] if t else opening) + net[t], 2)
        if not close(s, closing[t]):
            err("%s %s: closing stock %.2f, the balance gives %.2f" % (title, MON[t], closing[t], s))
        if closing[t] < 0:
            err("%s %s: negative stock %.2f" % (title, MON[t], closing[t]))
    if not close(closing[11], opening):
        err("%s: the year closes at %.2f, not at its opening %.2f" % (title, closing[11], opening))

xf = {}
for e in EX:
    title = "Exporter: " + e
    head, body, v = month_rows(title, 6)
    opening = num(body["opening"][6], title + " opening")
    H = [r[0] for r in v]; D = [r[1] for r in v]
    for k, j in enumerate(IM):
        xf[(e, j)] = [r[2 + k] for r in v]
    totals = {"harvest": (H, prod[e]), "domestic use": (D, round(prod[e] - expo[e], 2))}
    for j in IM:
        totals["to " + j] = (xf[(e, j)], flow[(e, j)])
    for col, (vals, want) in totals.items():
        yr = num(body["year"][head.index(col)], title + " year")
        if not close(sum(vals), want) or not close(yr, want):
            err("%s %s: months add up to %.2f, year row %.2f, the YAML says %.2f"
                % (title, col, sum(vals), yr, want))
    rules = {"harvest": [prod[e] * h / 100 for h in harv[e]]}
    for j in IM:
        prof = china_prof[e] if j == "China" else [ship[e][-1]] + ship[e][:-1]
        rules["to " + j] = ([flow[(e, j)] * p / sum(prof) for p in prof]
                            if flow[(e, j)] > 0 else [0.0] * 12)
    beg, end, du, imp = (wasde(e, c) for c in (1, 2, 3, 4))
    u = uw[e]; h = harv[e]
    if beg is None:
        rules["domestic use"] = [(prod[e] - expo[e]) * w / sum(u) for w in u]
    else:
        rules["domestic use"] = [(du - imp) * u[t] / sum(u) + (end - beg) * h[t] / sum(h)
                                 for t in range(12)]
    for col, want in rules.items():
        got = [r[head.index(col) - 1] for r in v]
        for t in range(12):
            if not close(got[t], want[t], 0.0101):
                err("%s %s %s: %.2f, the rule gives %.3f" % (title, MON[t], col, got[t], want[t]))
    net = [H[t] - D[t] - sum(xf[(e, j)][t] for j in IM) for t in range(12)]
    closing = [r[5] for r in v]
    check_stocks(title, opening, net, closing)
    # Opening stock: the rule named in the opening-stocks table.
    rule = stk[e][6]
    afloat = lambda t: expo[e] * ship[e][t] / sum(ship[e])
    if rule == "1 Sep + afloat":
        want, got, what = beg + afloat(11), opening, "opening"
    elif rule == "1 Oct + afloat":
        want, got, what = beg + afloat(0), closing[0], "end of September"
    elif rule == "floor":
        want, got, what = (prod[e] - expo[e]) / 12, min(closing), "lowest stock"
    else:
        sys.exit("opening stocks %s: unknown rule '%s'" % (e, rule))
    if not close(got, want, 0.0101):
        err("%s: %s %.2f, the rule '%s' gives %.3f" % (title, what, got, rule, want))
    if not close(opening, num(stk[e][5], "opening stocks " + e)):
        err("%s: opening %.2f differs from the opening-stocks table" % (title, opening))

for j in IM:
    title = "Importer: " + j
    head, body, v = month_rows(title, len(EX) + 2)
    opening = num(body["opening"][len(EX) + 2], title + " opening")
    for k, e in enumerate(EX):
        if head[1 + k] != "from " + e:
            sys.exit("%s: column %d must be 'from %s'" % (title, 2 + k, e))
        if [r[k] for r in v] != xf[(e, j)]:
            err("%s: 'from %s' is not exporter %s's 'to %s' column" % (title, e, e, j))
    C = [r[len(EX)] for r in v]; closing = [r[len(EX) + 1] for r in v]
    imports = round(sum(flow[(e, j)] for e in EX), 2)
    yr = num(body["year"][len(EX) + 1], title + " year")
    if not close(sum(C), imports) or not close(yr, imports):
        err("%s consumption: %.2f (year row %.2f), the YAML's imports are %.2f"
            % (title, sum(C), yr, imports))
    w = uw[j]
    for t in range(12):
        want = imports * w[t] / sum(w)
        if not close(C[t], want, 0.0101):
            err("%s %s consumption: %.2f, the rule gives %.3f" % (title, MON[t], C[t], want))
    net = [sum(xf[(e, j)][t] for e in EX) - C[t] for t in range(12)]
    check_stocks(title, opening, net, closing)
    rule = stk[j][6]
    if rule == "1 Oct":
        got, want, what = closing[0], wasde(j, 1), "end of September"
    elif rule == "floor":
        got, want, what = min(closing), C[0], "lowest stock"
    else:
        sys.exit("opening stocks %s: unknown rule '%s'" % (j, rule))
    if not close(got, want, 0.0101):
        err("%s: %s %.2f, the rule '%s' gives %.3f" % (title, what, got, rule, want))

# Quarters: sums of their three months, closing stock of the third.
QN = ["Sep-Nov", "Dec-Feb", "Mar-May", "Jun-Aug"]
for kind, regions in (("exporters", EX), ("importers", IM)):
    head, rows = get("Quarters: " + kind)
    seen = set()
    for r in rows:
        reg, q = r[0], r[1]
        if reg not in regions or q not in QN:
            sys.exit("Quarters: %s: unknown row %s / %s" % (kind, reg, q))
        seen.add((reg, q)); k = QN.index(q)
        title = ("Exporter: " if kind == "exporters" else "Importer: ") + reg
        mh = get(title)[0]
        _, _, mv = month_rows(title, len(mh) - 1)
        for c, name in enumerate(head[2:]):
            col = mh.index(name) - 1
            want = (mv[3 * k + 2][col] if name == "closing stock"
                    else sum(mv[t][col] for t in range(3 * k, 3 * k + 3)))
            if not close(num(r[2 + c], "quarters"), want):
                err("Quarters %s %s %s: %s, the months give %.2f" % (reg, q, name, r[2 + c], want))
    if len(seen) != 4 * len(regions):
        err("Quarters: %s: expected %d rows, found %d" % (kind, 4 * len(regions), len(seen)))

# The tariff path by month from the dated changes.
_, ch = get("Tariff changes (China's total rate on US soybeans, %)")
changes = sorted((datetime.date.fromisoformat(r[0]), num(r[1], "tariff change")) for r in ch)
def rate_on(d):
    return [r for day, r in changes if day <= d][-1]
_, path = get("Tariff by month (%)")
for r in path:
    y, mo = map(int, r[0].split("-"))
    ndays = calendar.monthrange(y, mo)[1]
    days = [rate_on(datetime.date(y, mo, dd)) for dd in range(1, ndays + 1)]
    # the rate in force on most days; on a tie, the later one
    most = max(set(days), key=lambda x: (days.count(x),
                                         max(i for i, d in enumerate(days) if d == x)))
    mean = sum(days) / len(days)
    if not close(num(r[1], "tariff"), days[0], 1e-9):
        err("tariff %s: in force on the 1st %s, the changes give %g" % (r[0], r[1], days[0]))
    if not close(num(r[2], "tariff"), most, 1e-9):
        err("tariff %s: most days %s, the changes give %g" % (r[0], r[2], most))
    if not close(num(r[3], "tariff"), mean, 0.0051):
        err("tariff %s: day-weighted %s, the changes give %.2f" % (r[0], r[3], mean))

# Observed US arrivals: calendar 2025 adds up to the reported 2025 total; the baseline
# column is the US -> China column of this calibration (month for month of the year).
_, obs = get("US soybeans cleared by China's customs, by month (Mt)")
tot25 = 0.0
for r in obs:
    months = [r[0]] if "+" not in r[0] else [r[0][:7], r[0][:5] + r[0].split("+")[1]]
    if r[0].startswith("2025"):
        tot25 += num(r[1], "observed " + r[0])
    base = sum(xf[("US", "China")][MY.index(calendar.month_abbr[int(mm[5:7])])]
               for mm in months)
    if not close(num(r[2], "baseline " + r[0]), base):
        err("observed table %s: baseline %s, the US table gives %.2f" % (r[0], r[2], base))
if not close(tot25, us2025, 0.0101):
    err("observed US arrivals in 2025 add up to %.2f, the annual table says %.2f" % (tot25, us2025))

if errors:
    print("\n".join("%s: %s" % (data_path, e) for e in errors), file=sys.stderr)
    sys.exit(1)
print("e2e_data_tables: %s agrees with %s" % (data_path, yaml_path))
EOF

"$PYTHON" -c 'import yaml' 2>/dev/null || fail "$PYTHON has no yaml module (Debian: python3-yaml)"
"$PYTHON" "$tmp/check.py" "$DATA" "$YAML" || fail "the tables of $DATA do not check out"

# The check must be able to fail: a harvest cell one hundredth off, an importer column
# that no longer matches its exporter's, and a YAML route flow changed.
cat >"$tmp/break.py" <<'EOF'
import sys
# break.py FILE TABLE ROW COLUMN DELTA: adds DELTA to one cell of the table '#### TABLE'.
path, title, row, col, delta = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
lines = open(path).read().split("\n")
start = lines.index("#### " + title)
for k in range(start, len(lines)):
    cells = lines[k].split("|")
    if len(cells) > col + 1 and cells[1].strip() == row:
        cells[col + 1] = " %.2f " % (float(cells[col + 1]) + delta)
        lines[k] = "|".join(cells)
        break
else:
    sys.exit("break.py: no row %s in %s" % (row, title))
sys.stdout.write("\n".join(lines))
EOF
expect_refusal() {   # WHAT DATA YAML MESSAGE
    "$PYTHON" "$tmp/check.py" "$2" "$3" 2>"$tmp/out" && fail "$1 passed the check"
    grep -qF "$4" "$tmp/out" || fail "$1 was refused without being named: $(cat "$tmp/out")"
}
"$PYTHON" "$tmp/break.py" "$DATA" "Exporter: Brazil" 2025-03 1 0.01 >"$tmp/harvest.md" \
    || fail "cannot break a harvest cell"
expect_refusal "a Brazil harvest cell 0.01 off" "$tmp/harvest.md" "$YAML" "Exporter: Brazil harvest"
"$PYTHON" "$tmp/break.py" "$DATA" "Importer: EU" 2024-11 1 0.05 >"$tmp/import.md" \
    || fail "cannot break an importer cell"
expect_refusal "an EU 'from US' cell 0.05 off" "$tmp/import.md" "$YAML" "Importer: EU: 'from US'"
sed -E 's/(China: +\{flow: )22\.8,/\122.9,/' "$YAML" >"$tmp/changed.yaml"
cmp -s "$YAML" "$tmp/changed.yaml" && fail "cannot change the YAML's US -> China flow"
expect_refusal "a US -> China flow of 22.9 in the YAML" "$DATA" "$tmp/changed.yaml" "Exporter: US to China"

echo "e2e_data_tables: the tables check out; 3 broken copies refused"
