# creditd build. `make run` and `make test` are the two commands a user needs;
# every target first makes sure the Debian packages are there (make deps).

BUILD    ?= build
SAN      ?=
PKGS     := sqlite3 libpq libmicrohttpd jansson libsodium libcurl liboath pangocairo librsvg-2.0
CC       ?= cc
WARN     := -std=c17 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wnull-dereference -Werror
OPT      ?= -O2 -g
CPPFLAGS := -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CFLAGS   += $(WARN) $(OPT) $(SAN) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += $(SAN)

LIB_SRC  := $(sort $(wildcard src/base/*.c src/core/*.c src/doc/*.c src/store/*.c src/service/*.c src/gateway/*.c src/notify/*.c src/http/*.c src/cli/cmd_*.c src/cli/cli.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/cli/main.o
TEST_SRC := $(sort $(wildcard tests/unit/*/*.c tests/store/test_*.c tests/prop/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(BUILD)/obj/tests/support/testdb.o
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
SQL_GEN  := $(BUILD)/gen/schema_sql.h

.PHONY: all deps build tests run test check-asan check bench lint format clean fuzz fuzz-build
all: build

deps:
	@bash scripts/deps.sh

build: deps
	@$(MAKE) --no-print-directory $(BUILD)/creditd

tests: deps
	@$(MAKE) --no-print-directory $(BUILD)/creditd $(TEST_BIN)

$(BUILD)/creditd: $(MAIN_OBJ) $(BUILD)/libcreditd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libcreditd.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SQL_GEN): $(wildcard src/store/sql/*/*.sql) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_sql.sh src/store/sql > $@

API_EXAMPLES_GEN := $(BUILD)/gen/api_examples.h

$(API_EXAMPLES_GEN): docs/api-examples.json scripts/embed_text.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_text.sh api_examples_json docs/api-examples.json > $@

I18N_GEN := $(BUILD)/gen/i18n_catalogues.h

$(I18N_GEN): $(wildcard i18n/*/*.json) scripts/embed_i18n.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_i18n.sh i18n > $@

$(BUILD)/obj/src/base/i18n.o: src/base/i18n.c $(I18N_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen $(CFLAGS) -c -o $@ $<

# Every message format in the sources, for the unit test that holds them to
# the error catalogue (i18n/*/errors.json).
ERRORS_GEN := $(BUILD)/gen/error_formats.h

$(ERRORS_GEN): $(LIB_SRC) $(wildcard src/*/*.h) scripts/errors_catalogue.py
	@mkdir -p $(dir $@)
	python3 scripts/errors_catalogue.py --c-header > $@

$(BUILD)/tests/unit/base/test_err: $(ERRORS_GEN)

WEB_GEN := $(BUILD)/gen/web_assets.h

$(WEB_GEN): $(wildcard web/*) scripts/embed_web.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_web.sh web > $@

$(BUILD)/obj/src/http/h_web.o: src/http/h_web.c $(WEB_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/src/http/h_ops.o: src/http/h_ops.c $(API_EXAMPLES_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/src/store/%.o: src/store/%.c $(SQL_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/gen $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(BUILD)/libcreditd.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -Itests/support -I$(BUILD)/gen $(CFLAGS) -o $@ $< $(TEST_SUPPORT) $(BUILD)/libcreditd.a \
	    $(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDFLAGS)

$(BUILD)/obj/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -Itests/support $(CFLAGS) -c -o $@ $<

$(BUILD)/bench/%: bench/%.c $(BUILD)/libcreditd.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libcreditd.a $(PKG_LIBS) $(LDFLAGS)

# `make run` serves on 127.0.0.1:8080; the first start creates ./data/creditd.db
# with the demo business and prints the logins once.
run: build
	@bash scripts/run.sh $(BUILD)/creditd

# Every suite, then every suite again under AddressSanitizer and UBSan.
test: deps
	@bash scripts/test.sh

check-asan: deps
	@bash scripts/test.sh --asan-only

check: test

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/creditd $(BENCH_BIN)
	@bash scripts/bench.sh $(BUILD)

lint: deps
	@bash scripts/lint.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

clean:
	rm -rf build

# ---- fuzzing (tests/fuzz) ------------------------------------------------
# `make fuzz` builds one libFuzzer driver per parser with clang, ASan and
# UBSan (every UB is fatal), over a copy of the library built the same way
# in $(FUZZ_BUILD), then runs each for FUZZ_SECONDS over its seeds
# (tests/fuzz/corpus/<target>), keeping what it learns in
# $(FUZZ_BUILD)/corpus and what fails in $(FUZZ_BUILD)/artifacts.
# FUZZ_TARGETS="json amount" runs only those.
FUZZ_BUILD   ?= build/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(WARN) -O1 -g $(FUZZ_SAN) $(PKG_CFLAGS) -MMD -MP
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SUPPORT := $(FUZZ_BUILD)/support/fuzz.o
# Drivers that call src/http without a socket get a fake connection: the
# linker sends these libmicrohttpd calls to tests/fuzz/fake_conn.c.
FUZZ_FAKE_CONN := $(FUZZ_BUILD)/support/fake_conn.o \
    -Wl,--wrap=MHD_lookup_connection_value,--wrap=MHD_get_connection_values \
    -Wl,--wrap=MHD_get_connection_info,--wrap=MHD_queue_response
FUZZ_LINK_json    := $(FUZZ_FAKE_CONN)
FUZZ_LINK_headers := $(FUZZ_FAKE_CONN) \
    -Wl,--wrap=svc_tenant_by_host,--wrap=svc_apikey_resolve,--wrap=svc_session_resolve
FUZZ_LINK_multipart := -Wl,--wrap=svc_tenant_by_host,--wrap=svc_apikey_resolve \
    -Wl,--wrap=svc_customer_exists,--wrap=svc_upload_begin,--wrap=svc_upload_write \
    -Wl,--wrap=svc_upload_seal,--wrap=svc_upload_discard,--wrap=svc_file_upload

.SECONDARY: $(FUZZ_SUPPORT) $(FUZZ_BUILD)/support/fake_conn.o

fuzz-build: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="-O1 -g" \
	    SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libcreditd.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@bash scripts/fuzz.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_BUILD)/support/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SUPPORT) $(FUZZ_BUILD)/support/fake_conn.o \
    $(FUZZ_BUILD)/libcreditd.a
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_SUPPORT) $(FUZZ_LINK_$*) $(FUZZ_BUILD)/libcreditd.a $(PKG_LIBS)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d) $(TEST_SUPPORT:.o=.d) $(BENCH_BIN:=.d)
-include $(FUZZ_BIN:=.d) $(FUZZ_BUILD)/support/fuzz.d $(FUZZ_BUILD)/support/fake_conn.d
