#include <string.h>
#include "dragnet_curl.h"
#include <pthread.h>

CURLcode dragnet_curl_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_ptr(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, dragnet_curl_data_callback value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLcode dragnet_curl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLcode dragnet_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value) {
    return curl_easy_getinfo(easy, info, value);
}

int dragnet_curl_subject_alt_names(CURL *easy, char *out, int out_size) {
    struct curl_certinfo *info = NULL;
    if (out_size <= 0 || curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == NULL || info->num_of_certs < 1) return 0;
    static const char prefix[] = "X509v3 Subject Alternative Name:";
    for (struct curl_slist *item = info->certinfo[0]; item != NULL; item = item->next) {
        if (strncmp(item->data, prefix, sizeof prefix - 1) != 0) continue;
        const char *value = item->data + sizeof prefix - 1;
        size_t length = strlen(value);
        if (length >= (size_t)out_size) length = (size_t)out_size - 1;
        memcpy(out, value, length);
        out[length] = 0;
        return (int)length;
    }
    return 0;
}

CURLMcode dragnet_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

int dragnet_curl_msg_is_done(const CURLMsg *message) {
    return message != NULL && message->msg == CURLMSG_DONE;
}

CURLcode dragnet_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

size_t dragnet_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

static pthread_once_t dragnet_curl_once = PTHREAD_ONCE_INIT;
static CURLcode dragnet_curl_init_result = CURLE_OK;

static void dragnet_curl_do_init(void) {
    dragnet_curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode dragnet_curl_global_init(void) {
    pthread_once(&dragnet_curl_once, dragnet_curl_do_init);
    return dragnet_curl_init_result;
}

int dragnet_curl_has_feature(int feature) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL && (info->features & feature) != 0;
}

const char *dragnet_curl_version_string(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL ? info->version : "unknown";
}

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

const char *dragnet_address_kind(int family, const unsigned char *a) {
    if (family == AF_INET) {
        if (a[0] == 0) return "unspecified";                                  /* 0.0.0.0/8 */
        if (a[0] == 127) return "loopback";                                   /* 127.0.0.0/8 */
        if (a[0] == 10) return "private";                                     /* 10.0.0.0/8 */
        if (a[0] == 172 && (a[1] & 0xF0) == 16) return "private";              /* 172.16.0.0/12 */
        if (a[0] == 192 && a[1] == 168) return "private";                     /* 192.168.0.0/16 */
        if (a[0] == 169 && a[1] == 254) return "link-local";                  /* 169.254.0.0/16: cloud metadata */
        if (a[0] == 100 && (a[1] & 0xC0) == 64) return "shared (CGNAT)";       /* 100.64.0.0/10 */
        if (a[0] == 192 && a[1] == 0 && a[2] == 0) return "reserved";         /* 192.0.0.0/24 */
        if (a[0] == 198 && (a[1] & 0xFE) == 18) return "reserved";             /* 198.18.0.0/15 benchmarking */
        if (a[0] >= 224) return "multicast or reserved";                      /* 224.0.0.0/3, broadcast */
        return NULL;
    }
    if (family == AF_INET6) {
        static const unsigned char zero[16] = {0};
        if (memcmp(a, zero, 16) == 0) return "unspecified";                   /* :: */
        if (memcmp(a, zero, 15) == 0 && a[15] == 1) return "loopback";        /* ::1 */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (memcmp(a, mapped, 12) == 0) return dragnet_address_kind(AF_INET, a + 12);   /* ::ffff:a.b.c.d */
        static const unsigned char nat64[12] = {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
        if (memcmp(a, nat64, 12) == 0) return dragnet_address_kind(AF_INET, a + 12);    /* 64:ff9b::a.b.c.d */
        if ((a[0] & 0xFE) == 0xFC) return "private (unique-local)";            /* fc00::/7 */
        if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return "link-local";        /* fe80::/10 */
        if (a[0] == 0xFF) return "multicast";                                  /* ff00::/8 */
        if (memcmp(a, zero, 10) == 0 && a[10] == 0 && a[11] == 0) return "reserved (IPv4-compatible)";
        return NULL;
    }
    return "unknown family";
}

/* Whether `list` ("\nA\nB\n") holds `item` (compared as given, `length` bytes). */
static int dragnet_list_contains(const char *list, const char *item, size_t length) {
    if (list == NULL || length == 0) return 0;
    for (const char *p = list; (p = strstr(p, item)) != NULL; p++) {
        if (p > list && p[-1] == '\n' && p[length] == '\n') return 1;
    }
    return 0;
}

/* The host of the URL `url` (lower-cased, IPv6 without brackets) into `out`. */
static size_t dragnet_url_host(const char *url, char *out, size_t size) {
    const char *start = strstr(url, "://");
    if (start == NULL || size == 0) return 0;
    start += 3;
    const char *end = start;
    while (*end && *end != '/' && *end != '?' && *end != '#') end++;
    for (const char *at = start; at < end; at++) if (*at == '@') start = at + 1;
    const char *host_end = end;
    if (*start == '[') {
        start++;
        const char *close = memchr(start, ']', (size_t)(end - start));
        host_end = close ? close : end;
    } else {
        const char *colon = memchr(start, ':', (size_t)(end - start));
        if (colon) host_end = colon;
    }
    size_t length = (size_t)(host_end - start);
    if (length >= size) return 0;
    for (size_t i = 0; i < length; i++) {
        char c = start[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[length] = 0;
    return length;
}

static curl_socket_t dragnet_guarded_socket(void *user, curlsocktype purpose, struct curl_sockaddr *address) {
    dragnet_address_guard *guard = user;
    const unsigned char *bytes = NULL;
    if (address->family == AF_INET) bytes = (const unsigned char *)&((struct sockaddr_in *)&address->addr)->sin_addr;
    if (address->family == AF_INET6) bytes = (const unsigned char *)&((struct sockaddr_in6 *)&address->addr)->sin6_addr;
    const char *kind = bytes ? dragnet_address_kind(address->family, bytes) : NULL;
    if (kind != NULL && purpose == CURLSOCKTYPE_IPCXN && !guard->allow_private) {
        char text[INET6_ADDRSTRLEN + 1] = {0};
        inet_ntop(address->family, bytes, text, sizeof text - 1);
        int allowed = dragnet_list_contains(guard->allowed_addresses, text, strlen(text));
        if (!allowed && guard->allowed_hosts != NULL && guard->easy != NULL) {
            const char *url = NULL;
            char host[256];
            if (curl_easy_getinfo(guard->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != NULL) {
                size_t length = dragnet_url_host(url, host, sizeof host);
                allowed = dragnet_list_contains(guard->allowed_hosts, host, length);
            }
        }
        if (!allowed) {
            snprintf(guard->refused, sizeof guard->refused, "%s (%s)", text, kind);
            return CURL_SOCKET_BAD;
        }
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

CURLcode dragnet_curl_set_address_guard(CURL *easy, dragnet_address_guard *guard) {
    guard->easy = easy;
    guard->refused[0] = 0;
    CURLcode code = curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, dragnet_guarded_socket);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, guard);
}
