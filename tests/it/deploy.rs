//! The deployment files stay consistent with the bot: they parse, use the routes, variables
//! and commands the bot really has, and keep the properties the README promises (one replica,
//! non-root, health checks, hardening, minimal Slack scopes).

use std::path::PathBuf;

use serde_json::Value;

fn read(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path))
        .unwrap_or_else(|error| panic!("{path} is valid YAML: {error}"))
}

#[test]
fn the_slack_manifest_asks_for_only_the_scopes_the_bot_uses() {
    let manifest = yaml("deploy/slack-app-manifest.yaml");
    let scopes: Vec<&str> = manifest["oauth_config"]["scopes"]["bot"]
        .as_array()
        .expect("bot scopes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        scopes,
        [
            "commands",
            "chat:write",
            "im:write",
            "im:history",
            "users:read",
            "dnd:read",
            "users:read.email",
            "files:write"
        ]
    );
    let command = &manifest["features"]["slash_commands"][0];
    assert_eq!(command["command"], "/career");
    assert_eq!(
        command["should_escape"], true,
        "mentions arrive as <@U…|name>"
    );
    let shortcuts = manifest["features"]["shortcuts"]
        .as_array()
        .expect("shortcuts");
    assert_eq!(shortcuts.len(), 1);
    assert_eq!(shortcuts[0]["type"], "message");
    assert_eq!(shortcuts[0]["name"], "Log as evidence");
    assert_eq!(
        shortcuts[0]["callback_id"],
        career_bot::slack::evidence_modal::SHORTCUT_CALLBACK_ID
    );
    assert!(
        shortcuts[0]["description"]
            .as_str()
            .is_some_and(|d| d.chars().count() <= 80),
        "Slack takes descriptions of up to 80 characters"
    );
    assert_eq!(manifest["features"]["app_home"]["home_tab_enabled"], true);
    assert_eq!(manifest["settings"]["interactivity"]["is_enabled"], true);
    assert_eq!(manifest["settings"]["socket_mode_enabled"], true);
    assert_eq!(
        manifest["settings"]["event_subscriptions"]["bot_events"][0],
        "app_home_opened"
    );
}

#[test]
fn the_kubernetes_deployment_runs_one_replica_with_probes_on_real_routes() {
    let deployment = yaml("deploy/kubernetes/deployment.yaml");
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate");
    let raw = read("deploy/kubernetes/deployment.yaml");
    assert!(
        raw.contains("# Exactly one replica"),
        "the comment says why"
    );
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert_eq!(
        deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
        true
    );
    let claim = yaml("deploy/kubernetes/persistentvolumeclaim.yaml");
    assert_eq!(claim["kind"], "PersistentVolumeClaim");
    assert_eq!(
        claim["metadata"]["name"],
        deployment["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    );
    let secret = yaml("deploy/kubernetes/secret.yaml");
    assert!(secret["stringData"]["SLACK_BOT_TOKEN"].is_string());
    let kustomization = yaml("deploy/kubernetes/kustomization.yaml");
    for resource in kustomization["resources"].as_array().expect("resources") {
        let file = format!("deploy/kubernetes/{}", resource.as_str().expect("path"));
        yaml(&file);
    }
}

#[test]
fn the_config_map_holds_a_valid_config_file() {
    let config_map = yaml("deploy/kubernetes/configmap.yaml");
    let text = config_map["data"]["career-bot.toml"]
        .as_str()
        .expect("a config file");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("career-bot.toml");
    std::fs::write(&path, text).expect("write");
    let overrides = career_bot::config::Overrides {
        config_file: Some(path),
        ..Default::default()
    };
    career_bot::config::Config::resolve(&overrides, &std::collections::BTreeMap::new())
        .expect("the ConfigMap's config is valid");
}

#[test]
fn the_dockerfile_is_multi_stage_non_root_with_certificates_volume_and_healthcheck() {
    let dockerfile = read("deploy/Dockerfile");
    assert_eq!(
        dockerfile
            .lines()
            .filter(|l| l.starts_with("FROM "))
            .count(),
        2,
        "multi-stage"
    );
    assert!(
        dockerfile.contains("RUN cargo build --release --locked --bin career-bot"),
        "the build step CI can run as is"
    );
    assert!(dockerfile.contains("ca-certificates"));
    assert!(dockerfile.contains("USER 10001:10001"));
    assert!(dockerfile.contains("VOLUME [\"/var/lib/career-bot\"]"));
    assert!(dockerfile.contains("HEALTHCHECK"));
    assert!(dockerfile.contains("\"career-bot\", \"healthcheck\""));
    assert!(dockerfile.contains("COPY frameworks /usr/share/career-bot/frameworks"));
}

#[test]
fn compose_runs_socket_mode_from_an_env_file() {
    let compose = yaml("deploy/docker-compose.yml");
    let service = &compose["services"]["career-bot"];
    assert_eq!(service["env_file"], "career-bot.env");
    assert_eq!(service["build"]["dockerfile"], "deploy/Dockerfile");
    assert_eq!(service["volumes"][0], "career-bot-data:/var/lib/career-bot");
    let env = read("deploy/career-bot.env.example");
    assert!(env.contains("\nSLACK_BOT_TOKEN=xoxb-"));
    assert!(env.contains("\nSLACK_APP_TOKEN=xapp-"), "Socket Mode");
}

#[test]
fn the_systemd_unit_is_hardened_and_uses_a_state_directory() {
    let unit = read("deploy/career-bot.service");
    for line in [
        "DynamicUser=yes",
        "StateDirectory=career-bot",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "KillSignal=SIGTERM",
        "ExecStart=/usr/local/bin/career-bot --config /etc/career-bot/career-bot.toml serve",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line:?}");
    }
}
