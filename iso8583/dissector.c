/*
 * dissector.c — a Wireshark Lua dissector generated from a profile's
 * tables: the framing (len2 or len4ascii, then the profile's header),
 * the MTI and bitmaps, and every field by the profile's class, length form,
 * maximum and charset, shown as `iso8583 decode` shows it (the masking
 * rules of mask.c redone in Lua, unless made --unmasked).  The tables are
 * data the script starts with; the code after them is the same for every
 * profile.
 */
#include <stdio.h>
#include <string.h>

#include "iso8583/charset.h"
#include "iso8583/dissector.h"
#include "iso8583/frame.h"
#include "iso8583/iso8583.h"

static const char *lua_code =
	"local proto = Proto(P.proto, \"ISO 8583 \" .. P.name .. \" (gatewayd profile)\")\n"
	"local pf = {\n"
	"\tlength = ProtoField.uint32(P.proto .. \".length\", \"Frame length\"),\n"
	"\theader = ProtoField.bytes(P.proto .. \".header\", \"Header\"),\n"
	"\tmsg = ProtoField.bytes(P.proto .. \".msg\", \"Message\"),\n"
	"\tmti = ProtoField.string(P.proto .. \".mti\", \"MTI\"),\n"
	"\tbitmap = ProtoField.bytes(P.proto .. \".bitmap\", \"Bitmap\"),\n"
	"}\n"
	"local fields = {}\n"
	"for _, f in pairs(pf) do fields[#fields + 1] = f end\n"
	"local de = {}\n"
	"for n, d in pairs(F) do\n"
	"\tde[n] = ProtoField.string(P.proto .. \".de\" .. n, \"DE\" .. n .. \" \" .. d[1])\n"
	"\tfields[#fields + 1] = de[n]\n"
	"end\n"
	"proto.fields = fields\n"
	"local ex_bad = ProtoExpert.new(P.proto .. \".malformed\", \"Malformed message\",\n"
	"    expert.group.MALFORMED, expert.severity.ERROR)\n"
	"proto.experts = { ex_bad }\n"
	"\n"
	"local function tolatin1(s)\n"
	"\tif TOLATIN1 == nil then return s end\n"
	"\tlocal t = {}\n"
	"\tfor i = 1, #s do t[i] = string.char(TOLATIN1[s:byte(i)]) end\n"
	"\treturn table.concat(t)\n"
	"end\n"
	"\n"
	"local function utf8(s)\n"
	"\treturn (s:gsub(\"[\\128-\\255]\", function(c)\n"
	"\t\tlocal b = c:byte()\n"
	"\t\treturn string.char(0xC0 + math.floor(b / 64), 0x80 + b % 64)\n"
	"\tend))\n"
	"end\n"
	"\n"
	"local function hex(s)\n"
	"\treturn (s:gsub(\".\", function(c) return string.format(\"%02X\", c:byte()) end))\n"
	"end\n"
	"\n"
	"local function unhex(s)\n"
	"\tif #s % 2 == 1 or not s:match(\"^%x*$\") then return nil end\n"
	"\treturn (s:gsub(\"%x%x\", function(h) return string.char(tonumber(h, 16)) end))\n"
	"end\n"
	"\n"
	"-- The masking printer's rules (iso8583/mask.c), for the display.\n"
	"local function mask_pan(v)\n"
	"\tif #v <= 10 then return string.rep(\"*\", #v) end\n"
	"\treturn v:sub(1, 6) .. string.rep(\"*\", #v - 10) .. v:sub(-4)\n"
	"end\n"
	"\n"
	"local function mask_track(v)\n"
	"\tlocal i = 0\n"
	"\twhile i < #v and v:sub(i + 1, i + 1):match(\"%d\") do i = i + 1 end\n"
	"\treturn mask_pan(v:sub(1, i)) .. string.rep(\"*\", #v - i)\n"
	"end\n"
	"\n"
	"local function mask_account(v)\n"
	"\tlocal keep = #v > 4 and 4 or 0\n"
	"\treturn string.rep(\"*\", #v - keep) .. (keep > 0 and v:sub(-4) or \"\")\n"
	"end\n"
	"\n"
	"local DE48_SECRET = { [92] = true, [43] = true, [33] = true }\n"
	"\n"
	"local function mask_de48(v)\n"
	"\tif #v == 0 then return \"\" end\n"
	"\tlocal out, pos, last = { v:sub(1, 1) }, 2, 2\n"
	"\twhile pos <= #v do\n"
	"\t\tlocal tag, l = v:sub(pos, pos + 1), v:sub(pos + 2, pos + 3)\n"
	"\t\tif #v - pos + 1 < 4 or not tag:match(\"^%d%d$\") or\n"
	"\t\t    not l:match(\"^%d%d$\") or #v - pos + 1 - 4 < tonumber(l) then\n"
	"\t\t\tout[#out + 1] = string.rep(\"*\", #v - last + 1)\n"
	"\t\t\treturn table.concat(out)\n"
	"\t\tend\n"
	"\t\tl = tonumber(l)\n"
	"\t\tout[#out + 1] = v:sub(pos, pos + 3)\n"
	"\t\tif DE48_SECRET[tonumber(tag)] then\n"
	"\t\t\tout[#out + 1] = string.rep(\"*\", l)\n"
	"\t\telse\n"
	"\t\t\tout[#out + 1] = v:sub(pos + 4, pos + 3 + l)\n"
	"\t\tend\n"
	"\t\tpos = pos + 4 + l\n"
	"\t\tlast = pos\n"
	"\tend\n"
	"\treturn table.concat(out)\n"
	"end\n"
	"\n"
	"local EMV_SECRET = { [0x56] = true, [0x57] = true, [0x5A] = true,\n"
	"\t[0x5F20] = true, [0x9F10] = true, [0x9F26] = true, [0x9F4B] = true,\n"
	"\t[0x9F6B] = true, [0x9F1F] = true, [0x9F20] = true }\n"
	"\n"
	"-- One BER-TLV from position p (1-based): tag, header end, value end; nil\n"
	"-- when it does not parse (iso8583/emv.c).\n"
	"local function emv_next(b, p)\n"
	"\tlocal n = #b\n"
	"\tlocal tag = b:byte(p)\n"
	"\tp = p + 1\n"
	"\tif tag % 32 == 31 then\n"
	"\t\tlocal i = 0\n"
	"\t\twhile true do\n"
	"\t\t\tif p > n or i == 3 then return nil end\n"
	"\t\t\tlocal c = b:byte(p)\n"
	"\t\t\ttag = tag * 256 + c\n"
	"\t\t\tp = p + 1\n"
	"\t\t\tif c < 128 then break end\n"
	"\t\t\ti = i + 1\n"
	"\t\tend\n"
	"\tend\n"
	"\tif p > n then return nil end\n"
	"\tlocal vlen = b:byte(p)\n"
	"\tp = p + 1\n"
	"\tif vlen >= 128 then\n"
	"\t\tlocal nl = vlen - 128\n"
	"\t\tif nl == 0 or nl > 3 or n - p + 1 < nl then return nil end\n"
	"\t\tvlen = 0\n"
	"\t\tfor _ = 1, nl do vlen = vlen * 256 + b:byte(p); p = p + 1 end\n"
	"\tend\n"
	"\tif n - p + 1 < vlen then return nil end\n"
	"\treturn tag, p, p + vlen\n"
	"end\n"
	"\n"
	"local function constructed(tag)\n"
	"\twhile tag > 255 do tag = math.floor(tag / 256) end\n"
	"\treturn math.floor(tag / 32) % 2 == 1\n"
	"end\n"
	"\n"
	"local function mask_de55(b, depth)\n"
	"\tlocal out, pos = {}, 1\n"
	"\twhile pos <= #b do\n"
	"\t\tlocal tag, vstart, vend = emv_next(b, pos)\n"
	"\t\tif tag == nil then\n"
	"\t\t\tout[#out + 1] = string.rep(\"*\", 2 * (#b - pos + 1))\n"
	"\t\t\tbreak\n"
	"\t\tend\n"
	"\t\tout[#out + 1] = hex(b:sub(pos, vstart - 1))\n"
	"\t\tlocal v = b:sub(vstart, vend - 1)\n"
	"\t\tif EMV_SECRET[tag] or (constructed(tag) and depth >= 4) then\n"
	"\t\t\tout[#out + 1] = string.rep(\"*\", 2 * #v)\n"
	"\t\telseif constructed(tag) then\n"
	"\t\t\tout[#out + 1] = mask_de55(v, depth + 1)\n"
	"\t\telse\n"
	"\t\t\tout[#out + 1] = hex(v)\n"
	"\t\tend\n"
	"\t\tpos = vend\n"
	"\tend\n"
	"\treturn table.concat(out)\n"
	"end\n"
	"\n"
	"-- The value as `iso8583 decode` prints it: b as upper-case hex, text as\n"
	"-- held (Latin-1, shown as UTF-8), masked unless the script was made\n"
	"-- with --unmasked.\n"
	"local function display(d, v)\n"
	"\tlocal cls, mask = d[2], d[5]\n"
	"\tif P.clear or mask == \"none\" then\n"
	"\t\treturn cls == \"b\" and hex(v) or utf8(v)\n"
	"\tend\n"
	"\tif mask == \"pan\" then return utf8(mask_pan(v)) end\n"
	"\tif mask == \"track\" then return utf8(mask_track(v)) end\n"
	"\tif mask == \"account\" then return utf8(mask_account(v)) end\n"
	"\tif mask == \"de48\" then return utf8(mask_de48(v)) end\n"
	"\tif mask == \"de55\" then return mask_de55(v, 0) end\n"
	"\treturn string.rep(\"*\", cls == \"b\" and 2 * #v or #v)\n"
	"end\n"
	"\n"
	"-- nd digits of packed BCD, an odd count behind a zero nibble; nil if\n"
	"-- a nibble is not a digit (or the pad not zero).\n"
	"local function bcd(s, nd)\n"
	"\tlocal t, k = {}, nd % 2\n"
	"\tif k == 1 and math.floor(s:byte(1) / 16) ~= 0 then return nil end\n"
	"\tfor i = 1, nd do\n"
	"\t\tlocal b = s:byte(math.floor(k / 2) + 1)\n"
	"\t\tlocal v = k % 2 == 1 and b % 16 or math.floor(b / 16)\n"
	"\t\tif v > 9 then return nil end\n"
	"\t\tt[i] = string.char(48 + v)\n"
	"\t\tk = k + 1\n"
	"\tend\n"
	"\treturn table.concat(t)\n"
	"end\n"
	"\n"
	"-- The byte classes of iso8583/xlate.c, on held (Latin-1) values: the\n"
	"-- 1-based position of the first byte the class does not allow, or nil.\n"
	"local CLASS = {\n"
	"\tn = \"[0-9]\", a = \"[A-Za-z ]\", an = \"[A-Za-z0-9 ]\",\n"
	"\tans = \"[\\32-\\126\\160-\\255]\", z = \"[0-9=D]\",\n"
	"\tns = \"[\\32-\\64\\91-\\96\\123-\\126\\160-\\255]\",\n"
	"}\n"
	"local function class_bad(cls, v)\n"
	"\tlocal from = 1\n"
	"\tif cls == \"x+n\" then\n"
	"\t\tif not v:sub(1, 1):match(\"[CD]\") then return 1 end\n"
	"\t\tcls, from = \"n\", 2\n"
	"\tend\n"
	"\tlocal set = CLASS[cls]\n"
	"\tif set == nil then return nil end\n"
	"\tfor i = from, #v do\n"
	"\t\tif not v:sub(i, i):match(set) then return i end\n"
	"\tend\n"
	"\treturn nil\n"
	"end\n"
	"\n"
	"local function prefix_read(s, digits)\n"
	"\tif P.lenenc == \"chars\" then\n"
	"\t\tlocal t = tolatin1(s)\n"
	"\t\tif not t:match(\"^%d+$\") then return nil end\n"
	"\t\treturn tonumber(t)\n"
	"\telseif P.lenenc == \"bcd\" then\n"
	"\t\tlocal n = 0\n"
	"\t\tfor i = 1, #s do\n"
	"\t\t\tlocal b = s:byte(i)\n"
	"\t\t\tlocal hi, lo = math.floor(b / 16), b % 16\n"
	"\t\t\tif hi > 9 or lo > 9 then return nil end\n"
	"\t\t\tn = n * 100 + hi * 10 + lo\n"
	"\t\tend\n"
	"\t\treturn n\n"
	"\tend\n"
	"\tif digits == 2 then return s:byte(1) end\n"
	"\treturn s:byte(1) * 256 + s:byte(2)\n"
	"end\n"
	"\n"
	"local function bit(bm, n)\n"
	"\tlocal b = bm:byte(math.floor((n - 1) / 8) + 1)\n"
	"\treturn math.floor(b / 2 ^ (7 - (n - 1) % 8)) % 2 == 1\n"
	"end\n"
	"\n"
	"-- Dissects one message (tvb range r); returns nil or an error.\n"
	"local function dissect_msg(r, tree)\n"
	"\tlocal s = r:raw()\n"
	"\tlocal pos = 1\n"
	"\tlocal function need(n, what)\n"
	"\t\tif #s - pos + 1 < n then\n"
	"\t\t\treturn string.format(\"%s: needs %d bytes, %d left\", what, n, #s - pos + 1)\n"
	"\t\tend\n"
	"\tend\n"
	"\tlocal ml = P.numenc == \"bcd\" and 2 or 4\n"
	"\tlocal e = need(ml, \"MTI\")\n"
	"\tif e then return e end\n"
	"\tlocal mti = P.numenc == \"bcd\" and bcd(s:sub(1, 2), 4) or tolatin1(s:sub(1, 4))\n"
	"\tif mti == nil or not mti:match(\"^%d%d%d%d$\") then return \"MTI: not 4 digits\" end\n"
	"\ttree:add(pf.mti, r(0, ml), mti)\n"
	"\tpos = ml + 1\n"
	"\tlocal bml = P.binenc == \"hex\" and 16 or 8\n"
	"\tlocal function bitmap(what)\n"
	"\t\tlocal err = need(bml, what)\n"
	"\t\tif err then return nil, err end\n"
	"\t\tlocal b = s:sub(pos, pos + bml - 1)\n"
	"\t\ttree:add(pf.bitmap, r(pos - 1, bml))\n"
	"\t\tpos = pos + bml\n"
	"\t\tif P.binenc == \"hex\" then\n"
	"\t\t\tb = unhex(b)\n"
	"\t\t\tif b == nil then return nil, what .. \": not hex\" end\n"
	"\t\tend\n"
	"\t\treturn b\n"
	"\tend\n"
	"\tlocal bm, err = bitmap(\"primary bitmap\")\n"
	"\tif bm == nil then return err end\n"
	"\tlocal last = 64\n"
	"\tif bit(bm, 1) then\n"
	"\t\tlocal b2\n"
	"\t\tb2, err = bitmap(\"secondary bitmap\")\n"
	"\t\tif b2 == nil then return err end\n"
	"\t\tbm = bm .. b2\n"
	"\t\tlast = 128\n"
	"\tend\n"
	"\tlocal n = 2\n"
	"\twhile n <= last do\n"
	"\t\tif n == 65 and bit(bm, 65) then\n"
	"\t\t\tlocal b3\n"
	"\t\t\tb3, err = bitmap(\"tertiary bitmap\")\n"
	"\t\t\tif b3 == nil then return err end\n"
	"\t\t\tbm = bm .. b3\n"
	"\t\t\tlast = 192\n"
	"\t\telseif bit(bm, n) then\n"
	"\t\t\tlocal d = F[n]\n"
	"\t\t\tif d == nil then\n"
	"\t\t\t\treturn string.format(\"field %d: not defined in profile %s\", n, P.name)\n"
	"\t\t\tend\n"
	"\t\t\tlocal start, form = pos, d[3]\n"
	"\t\t\tlocal hexb = d[2] == \"b\" and P.binenc == \"hex\"\n"
	"\t\t\tlocal maxu = hexb and 2 * d[4] or d[4]\n"
	"\t\t\tlocal units = maxu\n"
	"\t\t\tif form > 0 then\n"
	"\t\t\t\tlocal pl = P.lenenc == \"chars\" and form or (form == 2 and 1 or 2)\n"
	"\t\t\t\terr = need(pl, \"field \" .. n .. \" length prefix\")\n"
	"\t\t\t\tif err then return err end\n"
	"\t\t\t\tunits = prefix_read(s:sub(pos, pos + pl - 1), form)\n"
	"\t\t\t\tif units == nil then\n"
	"\t\t\t\t\treturn string.format(\"field %d: length prefix is not a decimal length\", n)\n"
	"\t\t\t\tend\n"
	"\t\t\t\tif units > maxu then\n"
	"\t\t\t\t\treturn string.format(\"field %d: length %d exceeds maximum %d\", n, units, maxu)\n"
	"\t\t\t\tend\n"
	"\t\t\t\tif units == 0 and not P.empty_ok then\n"
	"\t\t\t\t\treturn string.format(\"field %d: empty variable field not allowed\", n)\n"
	"\t\t\t\tend\n"
	"\t\t\t\tpos = pos + pl\n"
	"\t\t\tend\n"
	"\t\t\tif hexb and units % 2 == 1 then\n"
	"\t\t\t\treturn string.format(\"field %d: odd hex length %d\", n, units)\n"
	"\t\t\tend\n"
	"\t\t\tlocal bcdn = d[2] == \"n\" and P.numenc == \"bcd\"\n"
	"\t\t\tlocal wl = bcdn and math.floor((units + 1) / 2) or units\n"
	"\t\t\terr = need(wl, \"field \" .. n)\n"
	"\t\t\tif err then return err end\n"
	"\t\t\tlocal raw = s:sub(pos, pos + wl - 1)\n"
	"\t\t\tlocal v\n"
	"\t\t\tif bcdn then\n"
	"\t\t\t\tv = bcd(raw, units)\n"
	"\t\t\t\tif v == nil then return string.format(\"field %d: not BCD\", n) end\n"
	"\t\t\telseif hexb then\n"
	"\t\t\t\tv = unhex(raw)\n"
	"\t\t\t\tif v == nil then return string.format(\"field %d: not hex\", n) end\n"
	"\t\t\telseif d[2] == \"b\" or (d[2] == \"any\" and TOLATIN1 == nil) then\n"
	"\t\t\t\tv = raw\n"
	"\t\t\telse\n"
	"\t\t\t\tv = tolatin1(raw)\n"
	"\t\t\tend\n"
	"\t\t\tlocal bad = class_bad(d[2], v)\n"
	"\t\t\tif bad then\n"
	"\t\t\t\treturn string.format(\"field %d: byte 0x%02X not allowed in class %s (position %d)\",\n"
	"\t\t\t\t    n, raw:byte(bcdn and 1 or bad), d[2], bad - 1)\n"
	"\t\t\tend\n"
	"\t\t\tpos = pos + wl\n"
	"\t\t\ttree:add(de[n], r(start - 1, pos - start), display(d, v))\n"
	"\t\tend\n"
	"\t\tn = n + 1\n"
	"\tend\n"
	"\tif pos <= #s then\n"
	"\t\treturn string.format(\"%d trailing bytes after the last field\", #s - pos + 1)\n"
	"\tend\n"
	"end\n"
	"\n"
	"local PL = P.framing == \"len2\" and 2 or 4\n"
	"\n"
	"local function frame_len(tvb, pinfo, offset)\n"
	"\tlocal avail = tvb:len() - offset\n"
	"\tif avail < PL then return -(PL - avail) end\n"
	"\tif P.framing == \"len2\" then\n"
	"\t\treturn PL + tvb(offset, 2):uint()\n"
	"\tend\n"
	"\tlocal t = tvb(offset, 4):string()\n"
	"\tif not t:match(\"^%d%d%d%d$\") then return avail end\n"
	"\treturn PL + tonumber(t)\n"
	"end\n"
	"\n"
	"local function dissect_pdu(tvb, pinfo, tree)\n"
	"\tpinfo.cols.protocol = \"ISO8583/\" .. P.name\n"
	"\tlocal item = tree:add(proto, tvb())\n"
	"\tlocal total = tvb:len()\n"
	"\tlocal n = frame_len(tvb, pinfo, 0) - PL\n"
	"\titem:add(pf.length, tvb(0, PL), n)\n"
	"\tif n < P.hdrlen or PL + n > total then\n"
	"\t\titem:add_proto_expert_info(ex_bad, \"bad frame length\")\n"
	"\t\treturn total\n"
	"\tend\n"
	"\tif P.hdrlen > 0 then item:add(pf.header, tvb(PL, P.hdrlen)) end\n"
	"\tlocal mlen = n - P.hdrlen\n"
	"\tif mlen == 0 then return total end\n"
	"\tlocal r = tvb(PL + P.hdrlen, mlen)\n"
	"\titem:add(pf.msg, r)\n"
	"\tlocal err = dissect_msg(r, item)\n"
	"\tlocal mti = P.numenc == \"bcd\" and mlen >= 2 and bcd(r:raw(0, 2), 4) or\n"
	"\t    tolatin1(r:raw(0, math.min(4, mlen)))\n"
	"\tpinfo.cols.info:append(\" \" .. mti)\n"
	"\tif err then\n"
	"\t\titem:add_proto_expert_info(ex_bad, err)\n"
	"\t\tpinfo.cols.info:append(\" [\" .. err .. \"]\")\n"
	"\tend\n"
	"\treturn total\n"
	"end\n"
	"\n"
	"function proto.dissector(tvb, pinfo, tree)\n"
	"\tdissect_tcp_pdus(tvb, tree, PL, frame_len, dissect_pdu, true)\n"
	"\treturn tvb:len()\n"
	"end\n"
	"\n"
	"DissectorTable.get(\"tcp.port\"):add_for_decode_as(proto)\n";

static const char *cls_names[] = { "n", "a", "an", "ans", "ns", "z", "x+n",
    "b", "any" };
static const char *mask_names[] = { "none", "pan", "track", "all", "account",
    "de48", "de55" };
static const char *lenenc_names[] = { "chars", "bcd", "binary" };

/* s as a Lua string literal: printable ASCII as is, the rest as \ddd. */
static void
lua_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(out, "\\%03u", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The Wireshark protocol name: "iso8583_" and the profile's name with
 * anything but letters and digits as '_', lower case. */
void
dissector_proto_name(const struct iso_profile *p, char *out, size_t cap)
{
	size_t o, i;

	o = (size_t)snprintf(out, cap, "iso8583_");
	for (i = 0; p->name[i] != '\0' && o + 1 < cap; i++) {
		char c = p->name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		out[o++] = c;
	}
	out[o < cap ? o : cap - 1] = '\0';
}

int
dissector_write(const struct iso_profile *p, int framing, int clear,
    FILE *out)
{
	uint8_t to[256], from[256];
	char proto[80];
	const struct iso_fdef *d;
	int n, c;

	dissector_proto_name(p, proto, sizeof proto);
	fprintf(out, "-- Wireshark dissector for ISO 8583 profile ");
	lua_str(out, p->name);
	fprintf(out, ", %s framing, generated by `iso8583 dissector`.\n"
	    "-- tshark -X lua_script:THIS.lua -d tcp.port==PORT,%s ...\n",
	    frame_kind_name(framing), proto);
	if (clear)
		fprintf(out, "-- UNMASKED: shows card numbers and track data "
		    "in clear.\n");
	fprintf(out, "local P = {\n\tname = ");
	lua_str(out, p->name);
	fprintf(out, ",\n\tproto = \"%s\",\n\tframing = \"%s\",\n"
	    "\tlenenc = \"%s\",\n\tbinenc = \"%s\",\n\tnumenc = \"%s\",\n"
	    "\thdrlen = %u,\n"
	    "\tempty_ok = %s,\n\tclear = %s,\n}\n", proto,
	    frame_kind_name(framing), lenenc_names[p->lenenc],
	    p->binenc == ISO_BIN_HEX ? "hex" : "raw",
	    p->numenc == ISO_NUM_BCD ? "bcd" : "chars", p->hdrlen,
	    p->empty_ok ? "true" : "false", clear ? "true" : "false");
	/* [n] = { name, class, prefix digits (0 fixed), max, mask } */
	fprintf(out, "local F = {\n");
	for (n = 2; n <= ISO_NFIELDS; n++) {
		if ((d = iso_fdef(p, n)) == NULL)
			continue;
		fprintf(out, "\t[%d] = { ", n);
		lua_str(out, d->name);
		fprintf(out, ", \"%s\", %d, %u, \"%s\" },\n",
		    cls_names[d->cls], d->form == ISO_FIXED ? 0 :
		    d->form + 1, d->max, mask_names[d->mask]);
	}
	fprintf(out, "}\n");
	if (p->charset == ISO_CS_ASCII)
		fprintf(out, "local TOLATIN1 = nil\n");
	else {
		charset_tables(p->charset, to, from);
		/* Wire byte -> Latin-1; a list in Lua starts at 1. */
		fprintf(out, "local TOLATIN1 = { [0] = %u,", to[0]);
		for (c = 1; c < 256; c++)
			fprintf(out, "%s%u,", c % 16 ? " " : "\n\t", to[c]);
		fprintf(out, "\n}\n");
	}
	fputs(lua_code, out);
	return ferror(out) ? -1 : 0;
}
