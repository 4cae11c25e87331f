// PLACEHOLDER — the log-ingest work item provides the simdjson shim.
#ifndef RANKPROBE_JSON_SHIMS_H
#define RANKPROBE_JSON_SHIMS_H
#ifdef __cplusplus
extern "C" {
#endif
int rp_json_placeholder(void);
#ifdef __cplusplus
}
#endif
#endif
