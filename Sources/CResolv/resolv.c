#include "dragnet_resolv.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>
#include <strings.h>

int dragnet_cname_chain(const char *host, const char *server, int port, int timeout_seconds, char *out, int out_size) {
    if (host == NULL || out == NULL || out_size <= 0) return DRAGNET_DNS_ERROR;
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) return DRAGNET_DNS_ERROR;
    if (server != NULL) {
        struct sockaddr_in address;
        memset(&address, 0, sizeof address);
        address.sin_family = AF_INET;
        address.sin_port = htons((unsigned short)(port > 0 ? port : 53));
        if (inet_pton(AF_INET, server, &address.sin_addr) != 1) {
            res_nclose(&state);
            return DRAGNET_DNS_ERROR;
        }
        state.nsaddr_list[0] = address;
        state.nscount = 1;
    }
    state.retrans = timeout_seconds > 0 ? timeout_seconds : 2;
    state.retry = 1;
    state.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);

    unsigned char answer[8192];
    int length = res_nquery(&state, host, ns_c_in, ns_t_a, answer, sizeof answer);
    if (length < 0) {
        int error = state.res_h_errno;
        res_nclose(&state);
        if (error == HOST_NOT_FOUND) return DRAGNET_DNS_NXDOMAIN;
        if (error == NO_DATA) return 0;
        return DRAGNET_DNS_TIMEOUT;
    }
    ns_msg message;
    if (ns_initparse(answer, length, &message) != 0) {
        res_nclose(&state);
        return DRAGNET_DNS_MALFORMED;
    }
    int count = ns_msg_count(message, ns_s_an);
    char current[NS_MAXDNAME];
    strncpy(current, host, sizeof current - 1);
    current[sizeof current - 1] = 0;
    size_t hostLength = strlen(current);
    if (hostLength > 0 && current[hostLength - 1] == '.') current[hostLength - 1] = 0;
    int names = 0, written = 0;
    for (int step = 0; step <= 16; step++) {
        int found = 0;
        for (int index = 0; index < count; index++) {
            ns_rr record;
            if (ns_parserr(&message, ns_s_an, index, &record) != 0) {
                res_nclose(&state);
                return DRAGNET_DNS_MALFORMED;
            }
            if (ns_rr_type(record) != ns_t_cname || strcasecmp(ns_rr_name(record), current) != 0) continue;
            char target[NS_MAXDNAME];
            if (ns_name_uncompress(ns_msg_base(message), ns_msg_end(message), ns_rr_rdata(record), target, sizeof target) < 0) {
                res_nclose(&state);
                return DRAGNET_DNS_MALFORMED;
            }
            int size = (int)strlen(target) + 1;
            if (written + size <= out_size) {
                memcpy(out + written, target, (size_t)size);
                written += size;
                names++;
            }
            strcpy(current, target);
            found = 1;
            break;
        }
        if (!found) {
            res_nclose(&state);
            return names;
        }
    }
    res_nclose(&state);
    return DRAGNET_DNS_LOOP;
}
