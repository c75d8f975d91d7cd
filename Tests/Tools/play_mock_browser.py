#!/usr/bin/python3
"""Plays the admin's browser against oidc-provider-mock: given as $BROWSER, it opens the authorize
URL (trusting MOCK_CA), submits the mock's login form as user "alice", and follows the redirect to
the CLI's loopback address."""
import os
import ssl
import sys
import urllib.parse
import urllib.request

context = ssl.create_default_context(cafile=os.environ["MOCK_CA"])
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
with opener.open(sys.argv[1], timeout=30) as page:
    if "name=\"sub\"" not in page.read().decode():
        raise SystemExit("the provider did not show its login form")
with opener.open(urllib.request.Request(sys.argv[1], data=urllib.parse.urlencode({"sub": "alice"}).encode(), method="POST"), timeout=30) as done:
    done.read()
