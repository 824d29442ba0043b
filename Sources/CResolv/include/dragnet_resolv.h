// CNAME chains through glibc's resolver (res_nquery with a private state, so calls from
// several threads do not share anything), for finding first-party subdomains that point at
// a tracker.
#ifndef DRAGNET_RESOLV_H
#define DRAGNET_RESOLV_H

/// Results of dragnet_cname_chain besides a count of names (>= 0).
enum {
    DRAGNET_DNS_NXDOMAIN = -1,   // the name does not exist
    DRAGNET_DNS_TIMEOUT = -2,    // no answer within the timeout (or a server failure)
    DRAGNET_DNS_MALFORMED = -3,  // an answer that does not parse
    DRAGNET_DNS_ERROR = -4,      // bad arguments, no resolver configuration
    DRAGNET_DNS_LOOP = -5,       // the CNAME chain goes round
};

/// Asks for `host`'s A record (recursion desired) and follows the CNAME records of the answer
/// from `host`. `server` is an IPv4 or IPv6 address to ask instead of /etc/resolv.conf (NULL:
/// the system's), `port` its port (0: 53). The chain's names, each ended by NUL, go to `out`
/// (at most `out_size` bytes); returns how many, or one of the negative results above.
int dragnet_cname_chain(const char *host, const char *server, int port, int timeout_seconds, char *out, int out_size);

#endif
