#!/usr/bin/env python3
"""Writes the committed seed inputs in Fuzz/Seeds (run once; the outputs are committed).

The invite code and the signed notes are made here with PyNaCl, independently of the Swift code:
the notes are signed by the signed-note fuzzer's fixed key (seed 0x5A * 32), so they verify there.
"""
import base64, hashlib, json, os
import nacl.public, nacl.signing

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fuzz", "Seeds")

def write(path, text):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)

docs = ['{"a":1,"b":[true,false,null],"c":{"d":"e"}}', '[-0, 1e3, 12345678901234567890, 0.5, -1.25E-2]',
        '"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/"', '{"z":"\u00e9","a":{"\u00e9":[],"e":{}}}', ' [ [ [ [ ] ] ] ] ',
        '{"dup":1,"dup":2}']
for i, doc in enumerate(docs):
    write(f"canonical-json/seed-{i}.json", doc)

guid = "14a03569-d26b-4496-92e5-dfe8cb1855fe"
write("values/seed-geo.json", json.dumps({
    "clientId": guid, "tenantId": "096d3737-42f9-4039-8320-a4737c2b3abe",
    "redirectUris": ["https://localhost:3000/auth/callback", "https://x.example.com/cb"],
    "applicationIdUri": f"api://x.example.com/{guid}", "scope": f"api://x.example.com/{guid}/access_as_user",
    "acsConnectionString": "ENDPOINT=https://a.unitedstates.communication.azure.com;AccessKey="
                           + base64.b64encode(bytes(range(40))).decode(),
    "acsEndpoint": "https://a.unitedstates.communication.azure.com",
    "teamsAppObjectId": "096d3737-42f9-4039-8320-a4737c2b3abe"}))

access = base64.b64encode(bytes(range(64))).decode()
for i, text in enumerate([f"endpoint=https://contoso.communication.azure.com/;accesskey={access}",
                          f"AccessKey={access.rstrip('=')};Endpoint=https://c.europe.communication.azure.com;;",
                          "endpoint=http://x;accesskey=short",
                          f"endpoint=https://contoso.communication.azure.com/;accesskey={access};endpoint=https://b"]):
    write(f"connection-string/seed-{i}.txt", text)

server = nacl.signing.SigningKey(bytes([7]) * 32)
recipient = nacl.public.PrivateKey(bytes([9]) * 32).public_key
invite = {"handoffId": "5f8b7258-0000-4000-8000-000000000001",
          "recipientKey": base64.b64encode(bytes(recipient)).decode(),
          "server": "https://vault.example.com:8443",
          "serverKey": base64.b64encode(bytes(server.verify_key)).decode(),
          "token": "hv_inv_" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")}
canonical = json.dumps(invite, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
write("invite-code/seed-0.txt", "hv1." + base64.urlsafe_b64encode(canonical).decode().rstrip("=") + "\n")

note_key = nacl.signing.SigningKey(bytes([0x5A]) * 32)

def note(text, name):
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(note_key.verify_key)).digest()[:4]
    signature = note_key.sign(text.encode()).signature
    return text + "\n\u2014 " + name + " " + base64.b64encode(key_id + signature).decode() + "\n"

root_hash = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
write("signed-note/seed-0.txt", note(f"fuzz/note\n42\n{root_hash}\n", "fuzz/note"))
write("signed-note/seed-1.txt", note("handoff-vault receipt v1\nhandoff 5f8b\n", "other/key"))
write("signed-note/seed-2.txt", "text\n\n\u2014 name AAAA\n")
