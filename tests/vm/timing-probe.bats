load ../bats/helpers
setup() { voidoci_setup; }
teardown() { voidoci_teardown; }
t() { local s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; echo "# $(awk -v s=$s -v e=$EPOCHREALTIME 'BEGIN{printf "%.3f", e-s}')s: $*" >&3; }
loop_true() { for i in $(seq 50); do /bin/true; done; }
loop_bb() { for i in $(seq 50); do /bin/busybox true; done; }
@test "timing" {
  echo "# procs: $(ls -d /proc/[0-9]* | wc -l)" >&3
  t loop_true
  t loop_bb
  t make_bundle "$BUNDLE" true
  t make_bundle "$BATS_TEST_TMPDIR/b2" true
  t vrun
  t vrun
  t runtime_pids
  t _leaked_pids
  t _leaked_mounts
  t _leaked_cgroups
  t check_nothing_left_behind
  t "$VOIDOCI" --version
  t jq -n 1
}
