// Typed, prefixed wrappers for libcurl's variadic entry points.
//
// Swift cannot call C variadic functions such as curl_easy_setopt(3),
// curl_easy_getinfo(3) and curl_multi_setopt(3). Each wrapper below passes one
// argument kind through unchanged. The wrappers hold no state.
#ifndef DRAGNET_CURL_H
#define DRAGNET_CURL_H

#include <curl/curl.h>

/// Signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*dragnet_curl_data_callback)(char *data, size_t size, size_t count, void *user);

/// curl_easy_setopt(3) with a `long` argument.
CURLcode dragnet_curl_easy_setopt_long(CURL *easy, CURLoption option, long value);
/// curl_easy_setopt(3) with a `curl_off_t` argument.
CURLcode dragnet_curl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value);
/// curl_easy_setopt(3) with a C string (libcurl copies it).
CURLcode dragnet_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
/// curl_easy_setopt(3) with an opaque pointer (user data, error buffer).
CURLcode dragnet_curl_easy_setopt_ptr(CURL *easy, CURLoption option, void *value);
/// curl_easy_setopt(3) with a header list; the list must outlive the transfer.
CURLcode dragnet_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);
/// curl_easy_setopt(3) with a write or header callback.
CURLcode dragnet_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, dragnet_curl_data_callback value);

/// curl_easy_getinfo(3) for `long` values.
CURLcode dragnet_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
/// curl_easy_getinfo(3) for `curl_off_t` values (the *_T timings are microseconds).
CURLcode dragnet_curl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value);
/// curl_easy_getinfo(3) for string values; the string belongs to the handle.
CURLcode dragnet_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);

/// The leaf certificate's subject alternative names as OpenSSL prints them ("DNS:a.example,
/// DNS:b.example"), from CURLINFO_CERTINFO (CURLOPT_CERTINFO must have been set), copied into
/// `out` (NUL-terminated); returns its length, 0 when there is none (plain HTTP, a reused connection).
int dragnet_curl_subject_alt_names(CURL *easy, char *out, int out_size);

/// curl_multi_setopt(3) with a `long` argument.
CURLMcode dragnet_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// Whether a message from curl_multi_info_read(3) says a transfer is done.
int dragnet_curl_msg_is_done(const CURLMsg *message);
/// The transfer's result code, read out of CURLMsg's anonymous union.
CURLcode dragnet_curl_msg_result(const CURLMsg *message);

/// The CURL_ERROR_SIZE constant (a macro Swift does not import).
size_t dragnet_curl_error_size(void);

/// curl_global_init(3) with CURL_GLOBAL_DEFAULT; safe to call more than once.
CURLcode dragnet_curl_global_init(void);

/// Whether the linked libcurl decodes the given content encoding.
/// `feature` is one of CURL_VERSION_LIBZ, CURL_VERSION_BROTLI, CURL_VERSION_ZSTD.
int dragnet_curl_has_feature(int feature);

/// The version string of the linked libcurl ("7.88.1").
const char *dragnet_curl_version_string(void);

/// Which addresses one transfer may connect to (no fetch into private networks). Owned by
/// the caller for the transfer's lifetime; passed to the opensocket callback.
typedef struct dragnet_address_guard {
    /// Non-zero: every address is allowed (`--allow-private`).
    int allow_private;
    /// Host names (lower-case) the user named that are loopback or private literals or
    /// `localhost`: a connection for a URL on one of them may go to a private address.
    /// "\n"-separated, with a leading and a trailing "\n"; NULL for none.
    const char *allowed_hosts;
    /// Addresses (textual, as inet_ntop writes them) a transfer may always reach: the
    /// `--connect-to` targets. Same format; NULL for none.
    const char *allowed_addresses;
    /// The transfer, to read the URL being connected for.
    CURL *easy;
    /// The address refused, with its kind ("169.254.169.254 (link-local)"), when one was.
    char refused[96];
} dragnet_address_guard;

/// Installs `guard` as the transfer's CURLOPT_OPENSOCKETFUNCTION: every TCP connection's
/// address is checked before the socket is made, so neither a redirect, a discovered URL nor
/// a DNS answer (rebinding included) reaches loopback, private (RFC 1918, unique-local IPv6),
/// link-local (169.254.0.0/16, the cloud metadata endpoint), unspecified, CGNAT, multicast
/// or reserved addresses unless the guard allows it. Sockets are made close-on-exec.
CURLcode dragnet_curl_set_address_guard(CURL *easy, dragnet_address_guard *guard);

/// The kind of a non-public address ("loopback", "private", "link-local" …), or NULL when
/// the address is public. `family` is AF_INET or AF_INET6; `address` points at the 4 or 16 bytes.
const char *dragnet_address_kind(int family, const unsigned char *address);

#endif
