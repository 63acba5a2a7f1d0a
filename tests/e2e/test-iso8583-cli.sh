#!/usr/bin/env bash
# The iso8583 CLI as other tools use it: the Mastercard sample decodes to
# exactly its expected JSON; messages of every profile round-trip byte for
# byte (encode -> decode --unmasked -> encode); bad input exits 1 with one
# line naming the field and offset; masking is the default.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/bin/iso8583
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0

# 1. the sample, exactly
$bin decode --profile mastercard --unmasked < tests/data/mastercard-0100-a.bin > "$tmp/got.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a==b else 1)' \
  "$tmp/got.json" tests/data/mastercard-0100-a.json || fail "sample decode differs"
$bin encode --profile mastercard < "$tmp/got.json" | cmp -s - tests/data/mastercard-0100-a.bin \
  || fail "sample re-encode differs"
pass=$((pass+1))

# 2. masked by default: no full PAN, no track data, no ARQC
$bin decode --profile mastercard < tests/data/mastercard-0100-a.bin > "$tmp/masked.json"
grep -q 5321405711399412 "$tmp/masked.json" && fail "full PAN in masked output"
grep -q EEF198FD3D57D70D "$tmp/masked.json" && fail "ARQC in masked output"
grep -q '"2":"532140\*\*\*\*\*\*9412"' "$tmp/masked.json" || fail "PAN not masked 6+4"
pass=$((pass+1))

# 3. round trips per profile, raw and hex
msgs=(
'{"mti":"0100","fields":{"2":"4111111111111111","3":"000000","4":"000000001000","7":"1123101010","11":"000123","12":"101010","13":"1123","14":"2512","22":"051","32":"123456","35":"4111111111111111=25122011234567890","37":"000000000123","41":"TERM0001","42":"MERCHANT0000001","43":"SHOP                    LONDON       GB ","49":"826","52":"0123456789ABCDEF","55":"9F2608010203040506070882021980"}}'
'{"mti":"0800","fields":{"7":"1123101010","11":"000001","70":"301"}}'
'{"mti":"0420","fields":{"2":"5413330089010434","3":"000000","4":"000000002000","11":"000124","39":"00","90":"010000012311231010100000012345600000000000","128":"0102030405060708"}}'
'{"mti":"0200","fields":{"3":"400000","4":"000000010000","11":"000777","48":"R2302009203123","100":"12345678","102":"ACC-1","103":"ACC-2","150":"a tertiary field","192":"last"}}'
)
for prof in iso87 iso87hex fps mastercard mastercard-cp037; do
  i=0
  for j in "${msgs[@]}"; do
    i=$((i+1))
    # FPS gives DE42/43 other meanings and lengths: sort code, account.
    [ $prof = fps ] && j=${j/'"42":"MERCHANT0000001","43":"SHOP                    LONDON       GB "'/'"42":"400001     ","43":"GB29NWBK60161331926819            "'}
    echo "$j" | $bin encode --profile $prof > "$tmp/$prof.$i.bin" 2>"$tmp/err" || fail "$prof msg $i encode: $(cat "$tmp/err")"
    $bin decode --profile $prof --unmasked < "$tmp/$prof.$i.bin" > "$tmp/$prof.$i.json"
    $bin encode --profile $prof < "$tmp/$prof.$i.json" | cmp -s - "$tmp/$prof.$i.bin" || fail "$prof msg $i: not byte for byte"
    python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.load(open(sys.argv[2])); sys.exit(0 if a==b else 1)' \
      "$j" "$tmp/$prof.$i.json" || fail "$prof msg $i: decode differs from what was encoded"
    echo "$j" | $bin encode --profile $prof --hex > "$tmp/$prof.$i.hex"
    $bin decode --profile $prof --hex --unmasked < "$tmp/$prof.$i.hex" | $bin encode --profile $prof | cmp -s - "$tmp/$prof.$i.bin" \
      || fail "$prof msg $i: hex path differs"
    pass=$((pass+1))
  done
done

# 4. bad input: exit 1, one line naming field and offset
head -c 200 tests/data/mastercard-0100-a.bin > "$tmp/cut.bin"
set +e
$bin decode --profile mastercard < "$tmp/cut.bin" > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc = 1 ] || fail "truncated input: exit $rc, want 1"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "truncated input: want one line on stderr"
grep -q '^iso8583: field 42: truncated: needs 15 bytes, 9 left at offset 191$' "$tmp/err" || fail "error text: $(cat "$tmp/err")"
set +e
echo '{"mti":"0100","fields":{"35":"41111111111111111111111111111111111111111"}}' | $bin encode --profile iso87 > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q 'field 35: length 41 exceeds maximum 37 at offset' "$tmp/err" || fail "oversized DE35: rc=$rc $(cat "$tmp/err")"
set +e
$bin decode --profile nosuch < /dev/null 2>/dev/null; rc=$?
set -e
[ $rc = 2 ] || fail "unknown profile: exit $rc, want 2"
$bin --help | grep -q 'iso8583 decode' || fail "--help"
pass=$((pass+1))

# 5. describe prints a masked table
$bin describe --profile mastercard < tests/data/mastercard-0100-a.bin > "$tmp/desc"
grep -q '^35   Track 2 data' "$tmp/desc" || fail "describe table"
grep -q 5321405711399412 "$tmp/desc" && fail "describe shows a full PAN"
pass=$((pass+1))

# 6. profiles as files: every compiled-in profile exports to a file that
# decodes and encodes the round-trip messages of 3. and the samples to the
# same bytes and JSON as the compiled-in one
for prof in iso87 iso87hex fps mastercard mastercard-cp037; do
  $bin profile export $prof > "$tmp/$prof.profile.json"
  $bin profile check "$tmp/$prof.profile.json" > /dev/null || fail "$prof: exported file does not load"
  for f in "$tmp/$prof".[0-9]*.bin; do
    $bin decode --profile-file "$tmp/$prof.profile.json" --unmasked < "$f" | cmp -s - "${f%.bin}.json" \
      || fail "$prof: $f decodes otherwise from the file"
    $bin encode --profile-file "$tmp/$prof.profile.json" < "${f%.bin}.json" | cmp -s - "$f" \
      || fail "$prof: $f encodes otherwise from the file"
  done
done
for s in mastercard:mastercard-0100-a iso87:iso87-0100-b; do
  $bin decode --profile ${s%%:*} --unmasked < tests/data/${s#*:}.bin > "$tmp/c.json"
  $bin decode --profile-file "$tmp/${s%%:*}.profile.json" --unmasked < tests/data/${s#*:}.bin | cmp -s - "$tmp/c.json" \
    || fail "${s#*:}: decodes otherwise from the profile file"
  $bin encode --profile-file "$tmp/${s%%:*}.profile.json" < "$tmp/c.json" | cmp -s - tests/data/${s#*:}.bin \
    || fail "${s#*:}: encodes otherwise from the profile file"
done
# a broken file: exit 2, the file and the field named
sed 's/"class":"z"/"class":"zz"/' "$tmp/iso87.profile.json" > "$tmp/bad.json"
set +e
$bin decode --profile-file "$tmp/bad.json" < tests/data/iso87-0100-b.bin > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "bad.json: field 35: \"class\" must be one of" "$tmp/err" || fail "bad profile file: rc=$rc $(cat "$tmp/err")"
pass=$((pass+1))

echo "iso8583 cli: $pass passed, 0 failed"
