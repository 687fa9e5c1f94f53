#!/usr/bin/env bash
# End-to-end tests of the silent traps refused by validation (a value that a random
# input replaces in every draw, a tariff written as a percentage, an export tax written
# as a percentage, regime probabilities that do not sum to 1) and of the non-tariff
# barrier input (target ntb) with configs/political-risk-2025.yaml.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh
B=configs/baseline.yaml
same_summary() { h5diff -q "$1" "$2" /summary /summary; }

echo "e2e_validation: values a random input replaces"
check "--sweep importers.China.sigma: refused (a usage error of --sweep), naming input sigma_China" \
    expect_exit 64 "importers.China.sigma is replaced in every draw by input 'sigma_China' (dist lognormal): change that input instead (its parameters, e.g. inputs.sigma_China.median)" \
    $A run $B --sweep importers.China.sigma=5,12 -n 100 -q -o "$T/x.h5"
check "no output file left by the refused run" test ! -e "$T/x.h5"
check "--set importers.EU.eta: refused, naming input eta_EU" \
    expect_exit 65 "by input 'eta_EU'" $A check $B --set importers.EU.eta=-0.4
check "--set exporters.US.eps: refused, naming input eps_US" \
    expect_exit 65 "by input 'eps_US'" $A check $B --set exporters.US.eps=-1
cat >"$T/sweep-sigma.yaml" <<YAML
base: $PWD/configs/baseline.yaml
sweep:
  - {key: importers.China.sigma, values: [5, 12]}
YAML
check "a file's sweep of importers.China.sigma: refused with file and line" \
    expect_exit 65 "sweep-sigma.yaml:3:.*importers.China.sigma is replaced in every draw by input 'sigma_China'" \
    $A check "$T/sweep-sigma.yaml"
check "the input's own parameter may be swept" \
    bash -c "$A run $B --sweep inputs.sigma_China.median=8,12 -q --print-config >/dev/null"
check "a multiplied value (kappa, no input) may be set" bash -c "$A check $B --set exporters.US.kappa=0.3 >/dev/null"
check "once the input is gone, the value may be set" \
    bash -c "sed '/sigma_China/d' configs/soybeans-2024-25.yaml > '$T/no-sigma.yaml' && $A check '$T/no-sigma.yaml' --set importers.China.sigma=5 >/dev/null"

echo "e2e_validation: rates written as percentages"
check "a tariff of 25: refused, suggesting 0.25" \
    expect_exit 65 "scenario.tariffs.US.China = 25 is a tariff of 2500 %: tariffs are fractions (0.25 for 25 %)" \
    $A check $B --set scenario.tariffs.US.China=25
check "a tariff of 5 (500 %) is still accepted" bash -c "$A check $B --set scenario.tariffs.US.China=5 >/dev/null"
check "limits.max_tariff raised first: a tariff of 25 accepted" \
    bash -c "$A check $B --set limits.max_tariff=30 --set scenario.tariffs.US.China=25 >/dev/null"
check "limits.max_tariff must be > 0" expect_exit 65 "limits.max_tariff must be > 0 and finite (got -1)" \
    $A check $B --set limits.max_tariff=-1
check "the raised limit travels with the resolved config (the output's config reloads)" \
    bash -c "$A run $B --set limits.max_tariff=30 --set scenario.tariffs.US.China=25 -n 50 -q --print-config > '$T/lim.yaml' && grep -q 'max_tariff: 30' '$T/lim.yaml' && $A check '$T/lim.yaml' >/dev/null"
check "a baseline route tariff of 28: refused too" \
    expect_exit 65 "routes.US.China.tariff = 28 is a tariff of 2800 %" $A check $B --set routes.US.China.tariff=28
check "an export tax of 26: refused, suggesting 0.26" \
    expect_exit 65 "scenario.export_taxes.Argentina must be in \[0, 1) (got 26; rates are fractions: 0.26 for 26 %)" \
    $A check $B --set scenario.export_taxes.Argentina=26
check "a regime probability of 60: refused, suggesting 0.6" \
    expect_exit 65 "regimes.deal_holds.probability must be in \[0, 1\] (got 60; probabilities are fractions: 0.6 for 60 %)" \
    $A check configs/truce-uncertainty.yaml --set regimes.deal_holds.probability=60
check "regime probabilities that do not sum to 1: the sum in its shortest exact form" \
    expect_exit 65 "regime probabilities sum to 1.05, not 1 (deal_holds 0.6 + escalation 0.25 + boycott 0.2)" \
    $A check configs/truce-uncertainty.yaml --set regimes.boycott.probability=0.2
check "0.6 + 0.3 + 0.15 is reported as 1.05, not float noise (1.0499999999999998)" \
    expect_exit 65 "regime probabilities sum to 1.05, not 1 (deal_holds 0.6 + escalation 0.3 + boycott 0.15)" \
    $A check configs/truce-uncertainty.yaml --set regimes.escalation.probability=0.3

check "numbers in messages: the shortest form that reads back exactly (not rounded to 6 digits)" \
    expect_exit 65 "min > max (min 0.1234567, max 0.1)" \
    $A check "$(printf 'base: %s\ninputs:\n  u: {target: demand, importer: China, dist: uniform, min: 0.1234567, max: 0.1}\n' "$PWD/$B" > "$T/num.yaml"; echo "$T/num.yaml")"

echo "e2e_validation: non-tariff barriers"
cat >"$T/ntb.yaml" <<YAML
base: $PWD/configs/geneva-truce-2025.yaml
scenario:
  tariffs:
    US: {China: 0.25}
inputs:
  barrier: {target: ntb, exporter: US, importer: China, dist: fixed, value: 0.5}
YAML
$A run "$T/ntb.yaml" -n 600 -s 5 -q -o "$T/ntb.h5" || exit 1
$A run configs/geneva-truce-2025.yaml --set scenario.tariffs.US.China=0.75 -n 600 -s 5 -q -o "$T/t75.h5" || exit 1
$A run configs/geneva-truce-2025.yaml --set scenario.tariffs.US.China=0.25 -n 600 -s 5 -q -o "$T/t25.h5" || exit 1
check "a barrier of 0.5 on a tariff of 0.25 equals a tariff of 0.75, bit for bit" same_summary "$T/ntb.h5" "$T/t75.h5"
check "the reference has no barrier (the same reference as without it)" \
    h5diff -q "$T/ntb.h5" "$T/t25.h5" /summary/flow_ref_mean /summary/flow_ref_mean
ntb_file() {   # ntb_file NAME INPUT-MAPPING: a scenario with one more input
    printf 'base: %s\ninputs:\n  b: %s\n' "$PWD/$B" "$2" >"$T/$1.yaml"
    echo "$T/$1.yaml"
}
check "an ntb input needs an importer" expect_exit 65 "missing key 'importer' in inputs.b (target ntb needs it)" \
    $A check "$(ntb_file a '{target: ntb, exporter: US, dist: fixed, value: 0.1}')"
check "an ntb input must not be multiplied" expect_exit 65 "target ntb adds its value to the route's tariff" \
    $A check "$(ntb_file b '{target: ntb, exporter: US, importer: China, apply: multiply, dist: fixed, value: 0.1}')"
check "an ntb input cannot be negative (normal)" expect_exit 65 "the value must be >= 0, but normal" \
    $A check "$(ntb_file c '{target: ntb, exporter: US, importer: China, dist: normal, mean: 0.3, sd: 0.1}')"
check "an ntb input above limits.max_tariff: refused as a percentage would be" \
    expect_exit 65 "can give values up to 60, above limits.max_tariff = 5" \
    $A check "$(ntb_file d '{target: ntb, exporter: US, importer: China, dist: uniform, min: 0, max: 60}')"
check "agtrade check lists the barrier input" \
    bash -c "$A check configs/political-risk-2025.yaml | grep -q 'Random inputs: 22'"
$A run configs/political-risk-2025.yaml -n 2000 -q -j 1 -o "$T/pr1.h5" || exit 1
$A run configs/political-risk-2025.yaml -n 2000 -q -j 3 -o "$T/pr3.h5" || exit 1
check "political-risk-2025: the same bits with 1 and 3 threads" same_summary "$T/pr1.h5" "$T/pr3.h5"
check "political-risk-2025: the barrier cuts US -> China below the 23 % alone" /usr/bin/python3 - "$T/pr1.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
q = f["summary/flow_q"][0, 0, 0]          # US -> China, quantiles 1 5 10 25 50 75 90 95 99
p = f["summary/threshold_probability"][0]
# 23 % alone keeps a median of about 10 Mt; with the barrier the median is a few Mt, the
# lower tail a boycott, the upper tail the 23 %-only world
assert 0.3 < q[4] < 5, q
assert q[1] < 0.1 and 8 < q[7] < 16, q
assert 0.2 < p[1] < 0.7, p                # P(below 1 Mt)
PY

finish e2e_validation
