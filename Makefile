# gatewayd — one flat Makefile (GNU make).  See README.md.
#
#   make            libraries and binaries into build/ (binaries in build/bin/)
#   make check      unit tests (plain and ASan+UBSan), fuzz corpus replay, e2e
#   make fuzz-smoke every libFuzzer target for FUZZ_SECONDS (default 20)
#   make bench      benchmarks
#   make demo       the gateway story on loopback
#   make install    PREFIX=/usr/local DESTDIR= (and the *DIR below)
#   make package-check  the Debian packages built, linted, installed in a
#                   scratch root and removed (tests/e2e/test-package.sh)
#   make deps       check (and as root, install) the Debian packages we need

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/gatewayd
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
SCENDIR ?= $(PREFIX)/share/scheme-sim/scenarios
CC      ?= cc
CLANG   ?= clang
FUZZ_SECONDS ?= 20

# Libraries, one per folder, highest layer first (the order they link
# in).  A library may use only the ones its _USES names, all below it: its
# probe (build/layers/) links it whole against just those, so a call upward
# fails the build.  doc/architecture.md section 1 draws the layers.
LIBS := schemesim gateway standin wg hsm hsmclient corelink iso8583 base
schemesim_DIR := scheme-sim
gateway_DIR   := gateway
standin_DIR   := gateway/standin
wg_DIR        := tunnel/wg
hsm_DIR       := hsm
hsmclient_DIR := hsm/client
corelink_DIR  := tunnel
iso8583_DIR   := iso8583
base_DIR      := base
schemesim_USES := hsm hsmclient corelink iso8583 base
gateway_USES   := standin hsmclient corelink iso8583 base
standin_USES   := hsmclient corelink iso8583 base
wg_USES        := base
hsm_USES       := base
hsmclient_USES := base
corelink_USES  := iso8583 base
iso8583_USES   := base
base_USES      :=

# Programs: the file holding main() and the libraries linked, in order.
PROGS := iso8583 hsmd hsmctl gatewayd gatewayctl scheme-sim
iso8583_MAIN    := iso8583/iso8583-cli.c
iso8583_LINK    := iso8583 base
hsmd_MAIN       := hsm/hsmd.c
hsmd_LINK       := hsm hsmclient base
hsmctl_MAIN     := hsm/hsmctl.c
hsmctl_LINK     := hsm hsmclient base
gatewayd_MAIN   := gateway/gatewayd.c
gatewayd_LINK   := gateway standin hsmclient corelink iso8583 base
gatewayctl_MAIN := gateway/gatewayctl.c
gatewayctl_LINK := gateway standin hsmclient corelink iso8583 wg base
scheme-sim_MAIN := scheme-sim/scheme-sim.c
scheme-sim_LINK := schemesim hsm hsmclient corelink iso8583 base

# Debian packages: to build, and additionally to test/bench/demo.
DEB_BUILD := gcc make pkg-config libevent-dev liblmdb-dev libsodium-dev \
	libssl-dev libmnl-dev libinih-dev libjansson-dev libseccomp-dev check
DEB_TEST  := clang libclang-rt-14-dev llvm wireguard-tools wireguard-go \
	iproute2 haproxy qemu-system-x86 busybox-static kmod cpio xz-utils \
	python3 iputils-ping procps curl systemd \
	debhelper dpkg-dev lintian mandoc man-db tshark
PKGS := libevent libevent_pthreads lmdb libsodium libcrypto libmnl inih jansson \
	libseccomp

# Flags: ../shared/reference/hardening.md
CPPFLAGS := -I. -D_GNU_SOURCE -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
WARN     := -Wall -Wextra -Werror -Wformat=2 -Werror=format-security \
	-Wimplicit-fallthrough -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   := -std=gnu11 -O2 -g $(WARN) -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection=full -fPIE \
	-ftrivial-auto-var-init=zero -fno-strict-overflow \
	-fno-delete-null-pointer-checks
ifneq ($(findstring clang,$(CC)),)
CFLAGS   += -enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang
endif
LDFLAGS  := -pie -Wl,-z,relro,-z,now,-z,noexecstack -Wl,--as-needed
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := -std=gnu11 -O1 -g $(WARN) $(SAN)
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) $(SAN) -DFUZZING

# Sources.
MAINS      := $(foreach p,$(PROGS),$($(p)_MAIN))
lib_srcs    = $(filter-out $(MAINS),$(wildcard $($(1)_DIR)/*.c))
LIB_SRCS   := $(foreach l,$(LIBS),$(call lib_srcs,$(l)))
UNIT_SRCS  := $(wildcard tests/unit/check_*.c)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
E2E_TESTS  := $(sort $(wildcard tests/e2e/test-*.sh))

# A program whose main() is not written yet is simply not built.
BINS       := $(foreach p,$(PROGS),$(if $(wildcard $($(p)_MAIN)),build/bin/$(p)))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/test/%)
ASAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/test-asan/%)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/bin/%)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=build/bench/%)
LAYERS     := $(LIBS:%=build/layers/%)
# Helpers the bench and e2e scripts start (not tests themselves).
BENCH_TOOLS := build/bench/floor build/bench/stallprobe
E2E_TOOLS  := build/e2e/coreinject build/e2e/coretap build/e2e/fakegw

CONFIG := build/config.mk

.PHONY: all tests check unit unit-asan fuzz-replay e2e fuzz fuzz-smoke bench demo \
	install package-check clean deps deps-test print-libs
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BINS) $(LAYERS)

# --- dependencies ----------------------------------------------------------
# build/config.mk is made by checking (and as root installing) the Debian
# packages, then asking pkg-config; make re-reads it before building.
ifeq ($(filter clean deps deps-test print-libs,$(MAKECMDGOALS)),)
-include $(CONFIG)
endif

define deb_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "deps: missing Debian packages. Run as root:"; \
	    echo "  apt-get update && apt-get install -y --no-install-recommends$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

deps:
	$(call deb_ensure,$(DEB_BUILD))
deps-test: deps
	$(call deb_ensure,$(DEB_TEST))

$(CONFIG): Makefile
	$(call deb_ensure,$(DEB_BUILD))
	@mkdir -p $(@D)
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS)) -lpthread"; \
	   echo "CHECK_LIBS := $$(pkg-config --libs check)"; } > $@

# --- compile: one pattern rule per kind ------------------------------------
# V=1 shows the full command lines.
Q := $(if $(filter 1,$(V)),,@)
build/rel/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) -I. -D_GNU_SOURCE $(ASAN_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/fuzzobj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-FUZZ $<")
	$(Q)$(CLANG) -I. -D_GNU_SOURCE $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# Archives: build/<kind>/lib<name>.a, for the kinds rel, asan, fuzzobj.
define lib_rule
build/rel/lib$(1).a: $(patsubst %.c,build/rel/%.o,$(call lib_srcs,$(1)))
build/asan/lib$(1).a: $(patsubst %.c,build/asan/%.o,$(call lib_srcs,$(1)))
build/fuzzobj/lib$(1).a: $(patsubst %.c,build/fuzzobj/%.o,$(call lib_srcs,$(1)))
endef
$(foreach l,$(LIBS),$(eval $(call lib_rule,$(l))))
build/%.a:
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^
libs = $(foreach l,$(2),build/$(1)/lib$(l).a)
ALL_REL  := $(call libs,rel,$(LIBS))
ALL_ASAN := $(call libs,asan,$(LIBS))
ALL_FUZZ := $(call libs,fuzzobj,$(LIBS))

# --- link ------------------------------------------------------------------
define prog_rule
build/bin/$(1): build/rel/$($(1)_MAIN:.c=.o) $(call libs,rel,$($(1)_LINK))
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))
build/bin/%:
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# Layer probes: every object of a library, linked against only the
# libraries below it that it names; an unresolved symbol fails the build.
define layer_rule
build/layers/$(1): build/layers/probe.o build/rel/lib$(1).a $(call libs,rel,$($(1)_USES))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LAYER   $(1) uses only: $(or $($(1)_USES),-)")
	$$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) build/layers/probe.o \
	    -Wl,--whole-archive build/rel/lib$(1).a -Wl,--no-whole-archive \
	    $(call libs,rel,$($(1)_USES)) $$(PKG_LIBS) -o $$@
endef
$(foreach l,$(LIBS),$(eval $(call layer_rule,$(l))))
build/layers/probe.o:
	@mkdir -p $(@D)
	$(Q)echo 'int main(void) { return 0; }' | \
	    $(CC) $(CFLAGS) -x c -c - -o $@

build/test/%: build/rel/tests/unit/%.o $(ALL_REL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(CHECK_LIBS) $(PKG_LIBS) -o $@
build/test-asan/%: build/asan/tests/unit/%.o $(ALL_ASAN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ASAN_CFLAGS) $^ $(CHECK_LIBS) $(PKG_LIBS) -o $@
build/fuzz/bin/%: build/fuzzobj/tests/fuzz/%.o $(ALL_FUZZ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@
build/bench/%: build/rel/tests/bench/%.o $(ALL_REL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
build/e2e/%: build/rel/tests/e2e/%.o $(ALL_REL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# The check_hsmd_* suites drive the real hsmd and hsmctl binaries.
HSMD_SUITES := $(foreach s,check_hsmd_proto check_hsmd_vectors check_hsmd_allow \
    check_hsm_client check_standin_hsm,\
    build/test/$(s) build/test-asan/$(s))
$(HSMD_SUITES): | build/bin/hsmd build/bin/hsmctl

-include $(shell find build -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------
check: deps-test
	$(MAKE) -j2 tests
	@bash tests/check.sh "$(UNIT_BINS)" "$(ASAN_BINS)" "$(FUZZ_BINS)" "$(E2E_TESTS)"

# Everything check runs, built but not run.
tests: all $(UNIT_BINS) $(ASAN_BINS) $(FUZZ_BINS) $(BENCH_BINS) $(BENCH_TOOLS) \
    $(E2E_TOOLS)

# The pieces of check, one kind at a time.
unit: $(UNIT_BINS)
	@bash tests/check.sh "$(UNIT_BINS)" "" "" ""
unit-asan: $(ASAN_BINS)
	@bash tests/check.sh "" "$(ASAN_BINS)" "" ""
fuzz: $(FUZZ_BINS)
fuzz-replay: $(FUZZ_BINS)
	@bash tests/check.sh "" "" "$(FUZZ_BINS)" ""
e2e: all $(E2E_TOOLS)
	@bash tests/check.sh "" "" "" "$(E2E_TESTS)"

fuzz-smoke: deps-test $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); \
	  echo "== $$n for $(FUZZ_SECONDS)s"; mkdir -p build/fuzz/work/$$n; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/ build/fuzz/work/$$n tests/fuzz/corpus/$$n \
	    >build/fuzz/$$n.log 2>&1 || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' build/fuzz/$$n.log; done

bench: deps-test all $(BENCH_BINS) $(BENCH_TOOLS)
	@for b in $(BENCH_BINS); do $$b || exit 1; done
	@for b in $(sort $(wildcard tests/bench/bench-*.sh)); do bash $$b || exit 1; done

demo: deps-test all
	@bash tests/e2e/demo.sh

# Installed as the Debian packages install them (debian/rules calls this
# with PREFIX=/usr): units name the binaries under BINDIR; an edited
# config under SYSCONFDIR is never overwritten.
UNITS := gatewayd.service gatewayd-tunnel@.service hsmd.service
MANS  := $(wildcard man/*.[158])
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/gatewayd \
	    $(DESTDIR)$(SYSCONFDIR)/hsmd $(DESTDIR)$(SCENDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	for u in $(UNITS); do \
	  sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' systemd/$$u \
	    >$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	for n in gatewayd hsmd; do \
	  install -m 0644 systemd/$$n.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/$$n.conf && \
	  install -m 0644 systemd/$$n.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/$$n.conf && \
	  install -m 0644 systemd/$$n.conf.example $(DESTDIR)$(DOCDIR)/examples/ || exit 1; \
	  c=$(DESTDIR)$(SYSCONFDIR)/$$n/$$n.conf; \
	  [ -e $$c ] || install -m 0644 systemd/$$n.conf.example $$c || exit 1; done
	install -m 0644 $(filter %.1,$(MANS)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MANS)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MANS)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 README.md doc/*.md doc/threat-model.txt $(DESTDIR)$(DOCDIR)/
	install -m 0644 scheme-sim/scenarios/*.json $(DESTDIR)$(SCENDIR)/

# The packages built from a copy of this tree, linted, installed into a
# scratch root and removed; as root (CI), skipped otherwise.
package-check: deps-test
	@bash tests/e2e/test-package.sh

print-libs:
	@$(foreach l,$(LIBS),echo $(l) $($(l)_DIR);)

clean:
	rm -rf build
