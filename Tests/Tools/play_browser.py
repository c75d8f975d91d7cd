#!/usr/bin/python3
"""Plays the admin's browser for a sign-in test: given as $BROWSER, it is started with the
authorize URL, opens it (trusting the fake Entra's CA from FAKE_ENTRA_CA) and follows the redirect
to the CLI's loopback address, as a browser does once the user has signed in."""
import os
import ssl
import sys
import urllib.request

context = ssl.create_default_context(cafile=os.environ["FAKE_ENTRA_CA"])
with urllib.request.urlopen(sys.argv[1], context=context, timeout=30) as response:
    response.read()
