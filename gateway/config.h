/*
 * config.h — gatewayd's configuration (ARCHITECTURE section 9): INI read
 * with libinih, checked, and printed back normalised for `gatewayd -n`.
 */
#ifndef GATEWAY_CONFIG_H
#define GATEWAY_CONFIG_H

#include <sys/queue.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>

#include "base/net.h"
#include "tunnel/seal.h"
#include "gateway/standin/range.h"
#include "gateway/standin/standin.h"

#define CFG_NAME_MAX	48
#define CFG_PATH_MAX	256
#define CFG_ADDR_MAX	128
#define CFG_ALLOW_MAX	32
/* 'S' + a TDES key block under hsmd's AES LMK (112) with room to spare */
#define CFG_KEYBLOCK_MAX	260

struct cfg_addr {
	char			 text[CFG_ADDR_MAX];	/* as normalised */
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};


enum cfg_link_mode { LINK_LISTEN, LINK_CONNECT };
/* full: a store, a state key and (named) an HSM that work, or no start;
 * none: the lab mode, advices in memory only, said everywhere. */
enum cfg_durability { DURABILITY_FULL, DURABILITY_NONE };

struct cfg_link {
	TAILQ_ENTRY(cfg_link)	 entry;
	char		 name[CFG_NAME_MAX];
	char		 profile[64];
	/* ProfileFile: the wire profile from a file (doc/profiles.md);
	 * profile then holds its name, and the digest of the file's bytes
	 * tells a changed file on reload */
	char		 profile_file[CFG_PATH_MAX];
	uint8_t		 profile_digest[16];
	/* FrameHeader: the fixed header after the length prefix (hex);
	 * frame_hdrlen -1: the profile's (none for a compiled-in one) */
	int		 frame_hdrlen;
	uint8_t		 frame_hdr[32];
	int		 mode;			/* enum cfg_link_mode */
	struct cfg_addr	 addr;
	int		 nallow;
	struct net_prefix allow[CFG_ALLOW_MAX];
	int		 allow_any;		/* AllowFrom = any, written */
	int		 framing;		/* enum frame_kind */
	uint32_t	 maxframe;
	uint32_t	 deadline_us;
	uint32_t	 reserve_us;
	uint32_t	 echo_us;		/* 0: no idle echo */
	uint32_t	 out_timeout_us;	/* OUT_REQUEST answer wait */
	int		 out_repeats;		/* then a reversal (outsaf.c) */
	int		 connections;		/* Connect: parallel sessions */
	int		 max_conns;		/* Listen: accepted at once */
	/* Limits (issue 14): what one peer may hold of the gateway. */
	uint32_t	 first_frame_us;	/* Listen: first valid frame */
	uint32_t	 frame_us;		/* a partial frame */
	int		 echo_misses;		/* unanswered echoes: closed */
	uint32_t	 output_cap;		/* bytes queued: reads stop */
	uint32_t	 stall_us;		/* over output_cap: closed */
	int		 max_inflight;		/* requests: beyond, 91 */
	int		 sign_on;		/* SignOn = yes */
	int		 mac;			/* MAC = yes: DE64/DE128 */
	/* ZMKFile: the link's zone master key, a key block under the LMK
	 * (gateway/zonekey.c imports the scheme's ZPKs under it) */
	char		 zmk_file[CFG_PATH_MAX];
	char		 zmk[CFG_KEYBLOCK_MAX];
	/* ZPKFile: the link's first ZPK (a key block under the LMK, formed
	 * from the components agreed with the scheme), in force until a
	 * key change replaces it */
	char		 zpk_file[CFG_PATH_MAX];
	char		 zpk[CFG_KEYBLOCK_MAX];
	int		 line;			/* where the section began */
};

struct cfg_core {
	TAILQ_ENTRY(cfg_core)	 entry;
	char		 name[CFG_NAME_MAX];
	struct cfg_addr	 addr;
	int		 has_bind;
	struct cfg_addr	 bind;
	int		 nkeyfiles;
	char		 keyfile[SEAL_MAXKEYS][CFG_PATH_MAX];
	struct seal_keyring keys;
	int		 priority;
	uint32_t	 hb_us;
	int		 misses;		/* heartbeats missed = down */
	int		 recover;		/* good beats to come back */
	uint32_t	 fresh_us;		/* FreshWindow */
	int		 line;
	/* [Pair] only: the same endpoint, towards the peer appliance */
	int		 pair;
	char		 peer[CFG_NAME_MAX];	/* its [Gateway] Name */
	uint32_t	 share;			/* Share, percent */
	uint32_t	 takeover_us;		/* PeerTakeover */
};

struct config {
	char		 file[CFG_PATH_MAX];
	/* [Gateway] */
	char		 name[CFG_NAME_MAX];
	char		 state_dir[CFG_PATH_MAX];
	char		 state_key[CFG_PATH_MAX];
	char		 control[CFG_PATH_MAX];
	char		 control_group[CFG_NAME_MAX];	/* "": owner only */
	int		 has_metrics;
	struct cfg_addr	 metrics;
	char		 hsm[CFG_PATH_MAX];
	int		 durability;		/* enum cfg_durability */
	uint32_t	 dedup_us;		/* how long answers are kept */
	uint32_t	 dedup_max;		/* entries */
	uint32_t	 watchdog_us;
	int		 no_confine;		/* Confine = no */
	uint32_t	 log_rate;		/* lines per event per second */
	uint32_t	 cpu_slice_us;		/* CpuSlice; 0: the kernel's */
	/* [StandIn] */
	int		 standin_mode;		/* enum standin_mode */
	uint64_t	 standin_max_amount;
	uint64_t	 standin_exposure_cap;
	char		 standin_block_mcc[128];
	uint32_t	 standin_max_age_s;	/* MaxSnapshotAge */
	uint32_t	 standin_keep_s;	/* KeepDecisions */
	uint64_t	 standin_store_size;	/* StoreSize: the LMDB map */
	/* [Range NAME] */
	struct range_table	 ranges;

	TAILQ_HEAD(, cfg_link)	 links;
	TAILQ_HEAD(, cfg_core)	 cores;
	struct cfg_core		*pair;		/* [Pair], or NULL */
};

/*
 * Reads and checks a file.  On error returns NULL with a message naming
 * the file, line and key in err.  Keys are read from the KeyFile paths
 * unless nokeys is set (so `-n` works without access to the keys? no:
 * -n loads them too, to check them; nokeys is for the fuzzer).
 */
struct config *config_load(const char *path, int nokeys, char *err,
	    size_t errsz);
/* Same from a string (fuzzing, tests); name stands in for the file. */
struct config *config_parse_string(const char *text, const char *name,
	    int nokeys, char *err, size_t errsz);
void	config_free(struct config *);
void	config_print(const struct config *, FILE *);

struct cfg_link *config_link(const struct config *, const char *name);
struct cfg_core *config_core(const struct config *, const char *name);
/* Whether two link (core) sections mean the same running object. */
int	config_link_same(const struct cfg_link *, const struct cfg_link *);
int	config_core_same(const struct cfg_core *, const struct cfg_core *);
/* ControlGroup's gid ((gid_t)-1 when none): 0, or -1 with err. */
int	config_control_gid(const struct config *, gid_t *, char *err,
	    size_t errsz);
/* 1 when the address is allowed by the link's AllowFrom (none: nobody;
 * any is written as such). */
int	config_allowed(const struct cfg_link *, const struct sockaddr *);

/* Helpers, exported for tests. */
int	config_duration(const char *, uint32_t *us);
void	config_fmt_duration(uint32_t us, char *out, size_t cap);
int	config_age(const char *, uint32_t *secs);
void	config_fmt_age(uint32_t secs, char *out, size_t cap);
int	config_size(const char *, uint64_t *bytes);
void	config_fmt_size(uint64_t bytes, char *out, size_t cap);
/* dflt_port: the port when s names none; NULL: a port is required. */
int	config_hostport(const char *, struct cfg_addr *, const char *dflt_port);

struct iso_profile;

/*
 * A profile file read, checked and hashed (digest: 16 bytes): the
 * profile (the caller's, iso_profile_free), or NULL with why in err.
 */
struct iso_profile *cfg_profile_file(const char *path, uint8_t digest[16],
	    char *err, size_t errsz);

#endif
