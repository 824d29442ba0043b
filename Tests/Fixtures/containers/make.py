#!/usr/bin/env python3
"""Writes the container fixtures: hand-made in the shape of published GTM, gtag and Segment
files (docs/containers.md), with invented ids. Run from the repository root; the output is
committed, so the tests need no Python beyond the HTTPS fixture server."""
import json
import os

SITE = "Tests/Fixtures/https-site"


def gtm_js(data):
    # GTM writes its data object as JSON with <, > and & escaped as \u003C, \u003E, \u0026.
    text = json.dumps(data, separators=(",", ":"))
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026").replace("/", "\\/")
    return (
        "\n// Copyright 2012 Google Inc. All rights reserved.\n(function(){\n\nvar data = "
        + text
        + ";\n/*\n\n Copyright The Closure Library Authors.\n SPDX-License-Identifier: Apache-2.0\n*/\n"
        + "var ca,da=function(a){var b=0;return function(){return b<a.length?{done:!1,value:a[b++]}:{done:!0}}};"
        + "/* the runtime of a real container follows here; it is not needed to read the data */\n})()\n"
    )


def write(path, text):
    full = os.path.join(SITE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as handle:
        handle.write(text)


TIKTOK = (
    '<script type="text/gtmscript">!function(d,g,c){d.TiktokAnalyticsObject=c;var a=d[c]=d[c]||[];'
    'a.methods="page track identify instances debug on off once ready alias group enableCookie disableCookie".split(" ");'
    'a.setAndDefer=function(b,e){b[e]=function(){b.push([e].concat(Array.prototype.slice.call(arguments,0)))}};'
    'for(var f=0;f<a.methods.length;f++)a.setAndDefer(a,a.methods[f]);'
    'a.load=function(b,e){var h="https://analytics.tiktok.com/i18n/pixel/events.js";a._i=a._i||{};a._i[b]=[];a._i[b]._u=h;'
    'var k=g.createElement("script");k.type="text/javascript";k.async=!0;k.src=h+"?sdkid="+b+"\\u0026lib="+c;'
    'b=g.getElementsByTagName("script")[0];b.parentNode.insertBefore(k,b)};'
    'a.load("CQ7FIXTUREPIXEL12345");a.page();a.identify({email:'
)

shop = {
    "resource": {
        "version": "42",
        "macros": [
            {"function": "__e"},
            {"function": "__u", "vtp_component": "URL", "vtp_enableMultiQueryKeys": False},
            {"function": "__c", "vtp_value": "111122223333444"},
            {"function": "__v", "vtp_name": "gtm.triggers", "vtp_dataLayerVersion": 2, "vtp_setDefaultValue": True, "vtp_defaultValue": ""},
            {"function": "__v", "vtp_name": "user.email", "vtp_dataLayerVersion": 2},
        ],
        "tags": [
            {"function": "__html", "priority": 0, "metadata": ["map"], "once_per_event": True,
             "vtp_html": ["template", TIKTOK, ["escape", ["macro", 4], 8, 16], "})}(window,document,\"ttq\");</script>"],
             "vtp_supportDocumentWrite": False, "vtp_enableIframeMode": False, "vtp_enableEditJsMacroBehavior": False, "tag_id": 11},
            {"function": "__cvt_98765_12", "metadata": ["map"], "once_per_event": True, "vtp_pixelId": ["macro", 2],
             "vtp_eventName": "standard", "vtp_standardEventName": "PageView", "vtp_advancedMatching": True,
             "vtp_advancedMatchingList": ["list", ["map", "name", "em", "value", ["macro", 4]]], "vtp_consent": True,
             "vtp_disablePushState": False, "tag_id": 12},
            {"function": "__twitter_website_tag", "metadata": ["map"], "once_per_event": True, "vtp_twitter_pixel_id": "o1x2y",
             "vtp_event_type": "PageView", "tag_id": 13},
            {"function": "__googtag", "metadata": ["map"], "once_per_event": True, "vtp_tagId": "G-F1XT0RE5",
             "vtp_configSettingsTable": ["list", ["map", "parameter", "send_page_view", "parameterValue", "true"]], "tag_id": 14},
            {"function": "__gaawe", "metadata": ["map"], "once_per_event": True, "vtp_eventName": "purchase",
             "vtp_measurementIdOverride": "G-F1XT0RE5", "vtp_eventSettingsTable": ["list", ["map", "parameter", "value", "parameterValue", "10"]],
             "vtp_enableUserProperties": True, "tag_id": 15},
            {"function": "__paused", "vtp_originalTagType": "bzi", "tag_id": 16},
            {"function": "__hjtc", "metadata": ["map"], "once_per_event": True, "vtp_hotjar_site_id": "3456789", "tag_id": 17},
            {"function": "__img", "metadata": ["map"], "once_per_event": True,
             "vtp_url": ["template", "https://tr.snapchat.com/p?pid=", "11111111-2222-3333-4444-555555555555", "&ev=PAGE_VIEW"],
             "vtp_useCacheBuster": True, "vtp_randomNumber": ["macro", 1], "tag_id": 18},
            {"function": "__cl", "tag_id": 19},
        ],
        "predicates": [
            {"function": "_eq", "arg0": ["macro", 0], "arg1": "gtm.js"},
            {"function": "_eq", "arg0": ["macro", 0], "arg1": "purchase"},
            {"function": "_eq", "arg0": ["macro", 0], "arg1": "cookie_consent_statistics"},
            {"function": "_re", "arg0": ["macro", 3], "arg1": "(^$|((^|,)98765_5($|,)))"},
        ],
        "rules": [
            [["if", 0], ["add", 0, 1, 3, 8]],
            [["if", 1], ["add", 2, 4]],
            [["if", 2], ["add", 6]],
            [["if", 0], ["add", 5]],
        ],
    },
    "runtime": [[50, "__cvt_98765_12", [46, "a"], [52, "b", ["require", "injectScript"]]]],
    "permissions": {
        "__cvt_98765_12": {
            "access_globals": {"keys": [{"key": "fbq", "read": True, "write": True, "execute": False},
                                        {"key": "_fbq", "read": True, "write": True, "execute": False}]},
            "inject_script": {"urls": ["https://connect.facebook.net/en_US/fbevents.js"]},
            "logging": {"environments": "debug"},
        },
        "__twitter_website_tag": {"inject_script": {"urls": ["https://static.ads-twitter.com/uwt.js"]}},
        "__hjtc": {"inject_script": {"urls": ["https://static.hotjar.com/c/hotjar-*"]}},
    },
    "sandboxed_scripts": ["__cvt_98765_12"],
    "security_groups": {"nonGoogleScripts": ["__twitter_website_tag", "__hjtc"]},
}
write("www.googletagmanager.com/gtm.js@id=GTM-T1K2T3", gtm_js(shop))

gtag = {
    "resource": {
        "version": "1",
        "macros": [{"function": "__e"}],
        "tags": [
            {"function": "__gct", "vtp_trackingId": "G-F1XT0RE5", "vtp_sessionDuration": 0, "vtp_googleSignals": ["macro", 0], "tag_id": 1},
            {"function": "__ogt_1p_data_v2", "priority": 2, "vtp_isAutoEnabled": True, "vtp_autoCollectExclusionSelectors": ["list", ["map", "exclusionSelector", ""]],
             "vtp_isEnabled": True, "vtp_autoEmailEnabled": True, "vtp_autoPhoneEnabled": False, "vtp_autoAddressEnabled": False,
             "vtp_manualEmailEnabled": False, "vtp_isAutoCollectPiiEnabledFlag": False, "vtp_instanceDestinationId": "G-F1XT0RE5", "tag_id": 2},
            {"function": "__ogt_google_signals", "vtp_googleSignals": "ENABLED", "vtp_instanceDestinationId": "G-F1XT0RE5", "tag_id": 3},
            {"function": "__ccd_ga_first", "vtp_instanceDestinationId": "G-F1XT0RE5", "tag_id": 4},
        ],
        "predicates": [{"function": "_eq", "arg0": ["macro", 0], "arg1": "gtm.js"}, {"function": "_eq", "arg0": ["macro", 0], "arg1": "gtm.init"}],
        "rules": [[["if", 0], ["add", 0]], [["if", 1], ["add", 1, 2, 3]]],
    },
    "runtime": [],
    "permissions": {"__ogt_1p_data_v2": {"detect_user_provided_data": {"limitDataSources": True, "allowAutoDataSources": True}}},
    "sandboxed_scripts": [],
    "security_groups": {"google": ["__ogt_1p_data_v2", "__ogt_google_signals", "__ccd_ga_first"]},
}
write("www.googletagmanager.com/gtag/js@id=G-F1XT0RE5", gtm_js(gtag))

segment = {
    "integrations": {
        "Segment.io": {"apiKey": "SEGKEYfixture0001", "unbundledIntegrations": [], "addBundledMetadata": True,
                       "maybeBundledConfigIds": {"Facebook Pixel": ["5f0000000000000000000001"]}, "versionSettings": {"version": "4.4.7", "componentTypes": ["browser"]}},
        "Facebook Pixel": {"pixelId": "555566667777888", "standardEvents": {}, "limitedDataUse": True,
                           "versionSettings": {"version": "2.11.4", "componentTypes": ["browser"]}, "type": "browser", "bundlingStatus": "bundled"},
        "TikTok Conversions": {"pixelCode": "CSEGMENTTIKTOK00001", "versionSettings": {"componentTypes": ["server"]}},
        "Shiny Unknown Destination": {"apiKey": "x", "versionSettings": {"componentTypes": ["server"]}},
    },
    "plan": {"track": {"__default": {"enabled": True, "integrations": {}}}},
    "edgeFunction": {},
    "analyticsNextEnabled": True,
    "middlewareSettings": {},
    "enabledMiddleware": {},
    "metrics": {"sampleRate": 0.1},
    "legacyVideoPluginsEnabled": False,
    "remotePlugins": [
        {"name": "Google Analytics 4 Web", "creationName": "Google Analytics 4 Web", "libraryName": "google-analytics-4-webDestination",
         "url": "https://cdn.segment.com/next-integrations/actions/google-analytics-4-web/abc.js",
         "settings": {"measurementID": "G-SEG4WEB001", "allowGoogleSignals": False, "subscriptions": []}},
    ],
}
write("cdn.segment.com/v1/projects/SEGKEYfixture0001/settings", json.dumps(segment, indent=1))

# Misbehaving containers, served from a server-side GTM host.
bad = "sgtm.bad.example"
write(f"{bad}/gtm.js@id=GTM-TRUNC1", gtm_js(shop)[:900])
write(f"{bad}/gtm.js@id=GTM-NOJSON1", "(function(){\nvar data = {resource: {version: '1', tags: []}};\n})()\n")
write(f"{bad}/gtm.js@id=GTM-LOGIN1", "<!doctype html><html><head><title>Sign in</title></head><body><form action=/login><input type=password name=pw></form></body></html>\n")
ranges = json.loads(json.dumps(shop))
ranges["resource"]["rules"] = [[["if", 0, 99], ["add", 0, 77]], [["if", 0], ["add", 3]]]
ranges["resource"]["tags"][3]["setup_tags"] = ["list", ["tag", 55, 0]]
write(f"{bad}/gtm.js@id=GTM-RANGE1", gtm_js(ranges))
nested = "x"
for level in range(12):
    nested = "<script>document.write(" + json.dumps(nested) + ")</script>"
deep = json.loads(json.dumps(shop))
deep["resource"]["tags"] = [{"function": "__html", "vtp_html": nested, "tag_id": 1}]
deep["resource"]["rules"] = [[["if", 0], ["add", 0]]]
write(f"{bad}/gtm.js@id=GTM-NEST1", gtm_js(deep))

for name, body in {
    "shop.example/index.html": """<!doctype html>
<html><head><title>Fixture shop</title>
<!-- Google Tag Manager -->
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-T1K2T3');</script>
<!-- End Google Tag Manager -->
<script async src="https://www.googletagmanager.com/gtag/js?id=G-F1XT0RE5"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-F1XT0RE5');</script>
<script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;
s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '111122223333444');
fbq('track', 'PageView');
</script>
<script>
  !function(){var i="analytics",analytics=window[i]=window[i]||[];analytics.load=function(key,n){var t=document.createElement("script");
  t.type="text/javascript";t.async=!0;t.src="https://cdn.segment.com/analytics.js/v1/" + key + "/analytics.min.js";
  var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r)};
  analytics.load("SEGKEYfixture0001");
  analytics.page();
  }();
</script>
<!-- an old container, commented out: GTM-OLD0001 is not loaded -->
<script>/* (window,document,'script','dataLayer','GTM-OLD0002') */ var note = "see gtm.js?id=GTM-OLD0003 in the wiki";</script>
</head><body>
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-T1K2T3" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
<h1>Fixture shop</h1>
<form action="/signup" method="post"><label>Email <input type="email" name="email"></label><button>Join</button></form>
<a href="/privacy">Privacy</a>
</body></html>
""",
}.items():
    write(name, body)

def gtm_page(ids, host=bad):
    snippets = "".join(
        f"<script>(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),event:'gtm.js'}});"
        f"var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://{host}/gtm.js?id='+i;"
        f"f.parentNode.insertBefore(j,f);}})(window,document,'script','dataLayer','{i}');</script>\n" for i in ids)
    return f"<!doctype html><html><head><title>Bad containers</title>\n{snippets}</head><body><p>bad</p></body></html>\n"

for page, ids in {
    "404": ["GTM-NOTFOUND"], "slow": ["GTM-SLOW1"], "trunc": ["GTM-TRUNC1"], "nojson": ["GTM-NOJSON1"], "huge": ["GTM-HUGE1"],
    "range": ["GTM-RANGE1"], "nest": ["GTM-NEST1"], "login": ["GTM-LOGIN1"], "invalid": ["GTM-bad!id"],
}.items():
    write(f"bad.example/{page}.html", gtm_page(ids))
write("bad.example/tls.html", gtm_page(["GTM-TLS0001"], host="tls.bad.example"))
print("container fixtures written")
