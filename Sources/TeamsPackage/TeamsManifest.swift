import HandoffDomain

/// The `manifest.json` of a tenant-specific Teams meeting app (Step 8 of the deployment steps).
///
/// Mapped from the values: `webApplicationInfo.id` = client ID, `webApplicationInfo.resource` =
/// Application ID URI. From the options: the hosting domain (tab URLs and `validDomains`), the
/// app version, the app id and the manifest version. Everything else is fixed: it describes
/// Altoura Remote Expert, not the customer.
package enum TeamsManifest {
    /// Fixed product facts.
    package static let shortName = "Altoura Remote Expert"
    package static let developerName = "Altoura"
    package static let accentColor = "#1F4E79"
    package static let shortDescription = "Bring a remote expert into your Teams meeting."
    package static let fullDescription = """
        Altoura Remote Expert adds a side panel and a shared stage to Microsoft Teams meetings, so that \
        a remote expert can guide the people in the room step by step. Sign-in uses your organisation's \
        own Microsoft Entra app registration; calling runs on your own Azure Communication Services resource.
        """
    /// Lets the app share its view to the meeting stage.
    package static let stagePermission = "MeetingStage.Write.Chat"

    /// The manifest for `values` under `options`.
    package static func make(values: HandoffValues, options: PackageOptions) -> JSONValue {
        let host = options.hostingDomain
        let base = "https://\(host)"
        return [
            "$schema": .string(options.manifestVersion.schemaURL),
            "manifestVersion": .string(options.manifestVersion.rawValue),
            "version": .string(options.appVersion),
            "id": .string(options.appId ?? TeamsAppID.forTenant(values.tenantId)),
            "developer": [
                "name": .string(developerName),
                "websiteUrl": .string("\(base)/"),
                "privacyUrl": .string("\(base)/privacy"),
                "termsOfUseUrl": .string("\(base)/terms"),
            ],
            "name": ["short": .string(shortName), "full": .string(shortName)],
            "description": ["short": .string(shortDescription), "full": .string(fullDescription)],
            "icons": ["color": .string(AppIcons.colorFileName), "outline": .string(AppIcons.outlineFileName)],
            "accentColor": .string(accentColor),
            "configurableTabs": [[
                "configurationUrl": .string("\(base)/teams/configure"),
                "canUpdateConfiguration": true,
                "scopes": ["team", "groupChat"],
                "context": ["meetingChatTab", "meetingDetailsTab", "meetingSidePanel", "meetingStage"],
                "meetingSurfaces": ["sidePanel", "stage"],
            ]],
            "permissions": ["identity"],
            "validDomains": [.string(host)],
            "webApplicationInfo": [
                "id": .string(values.clientId),
                "resource": .string(values.applicationIdUri),
            ],
            "authorization": [
                "permissions": [
                    "resourceSpecific": [["name": .string(stagePermission), "type": "Delegated"]],
                ],
            ],
        ]
    }
}
