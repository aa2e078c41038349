//! The several-replica deployment (issue 15) stays consistent with the bot and with the
//! single-replica one: the compose profile runs PostgreSQL, two replicas on it and a proxy,
//! and leaves the default service as it was; the Kubernetes setup runs two replicas that are
//! never all down, with the database URL from a Secret; every path a probe or the proxy uses is
//! a route the bot serves; and CI starts PostgreSQL before the tests.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    let full = root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path))
        .unwrap_or_else(|error| panic!("{path} is valid YAML: {error}"))
}

/// The names of the compose services in `profile`, or in no profile when `None`.
fn services_in(compose: &Value, profile: Option<&str>) -> BTreeSet<String> {
    let services = compose["services"].as_object().expect("services");
    services
        .iter()
        .filter(|(_, service)| {
            let profiles = service["profiles"].as_array();
            match profile {
                None => profiles.is_none(),
                Some(wanted) => profiles.is_some_and(|p| p.iter().any(|p| p == wanted)),
            }
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The env files a compose service reads, in either of compose's spellings.
fn env_files(service: &Value) -> Vec<String> {
    let one = |entry: &Value| {
        entry
            .as_str()
            .or_else(|| entry["path"].as_str())
            .expect("an env file path")
            .to_owned()
    };
    match &service["env_file"] {
        Value::Array(entries) => entries.iter().map(one).collect(),
        Value::Null => Vec::new(),
        entry => vec![one(entry)],
    }
}

/// `KEY=value` lines of an env file.
fn env_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .map(str::to_owned)
}

/// The paths the bot's HTTP server routes, read from its router.
fn bot_routes() -> BTreeSet<String> {
    let source = read("src/slack/http.rs");
    let routes: BTreeSet<String> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    assert!(
        routes.contains("/healthz"),
        "the router was found: {routes:?}"
    );
    routes
}

#[test]
fn compose_without_a_profile_still_runs_the_one_sqlite_service_it_ran_before() {
    let compose = yaml("deploy/docker-compose.yml");
    assert_eq!(
        services_in(&compose, None),
        BTreeSet::from(["career-bot".to_owned()])
    );
    // Today's service, key for key: no database setting (the image's SQLite path), its volume.
    assert_eq!(
        compose["services"]["career-bot"],
        json!({
            "build": {"context": "..", "dockerfile": "deploy/Dockerfile"},
            "image": "career-bot:latest",
            "env_file": "career-bot.env",
            "volumes": ["career-bot-data:/var/lib/career-bot"],
            "restart": "unless-stopped",
            "stop_grace_period": "30s",
        })
    );
    assert!(compose["volumes"]["career-bot-data"].is_null());
    assert!(
        compose["volumes"]
            .as_object()
            .expect("volumes")
            .contains_key("career-bot-data")
    );
}

#[test]
fn the_replicas_profile_runs_postgres_two_replicas_on_it_and_a_proxy() {
    let compose = yaml("deploy/docker-compose.yml");
    let services = &compose["services"];
    let profile = services_in(&compose, Some("replicas"));
    let replicas: Vec<&String> = profile
        .iter()
        .filter(|name| services[name.as_str()]["image"] == "career-bot:latest")
        .collect();
    assert_eq!(replicas.len(), 2, "{profile:?}");
    assert!(profile.contains("postgres") && profile.contains("proxy"));
    assert_eq!(profile.len(), 4, "{profile:?}");

    let postgres = &services["postgres"];
    let image = postgres["image"].as_str().expect("image");
    assert!(
        image.starts_with("postgres:") && !image.ends_with(":latest"),
        "the official image, major version pinned: {image}"
    );
    let volume = postgres["volumes"][0].as_str().expect("a volume");
    let (name, _) = volume.split_once(':').expect("NAME:PATH");
    assert!(
        compose["volumes"]
            .as_object()
            .expect("volumes")
            .contains_key(name),
        "a named volume: {volume}"
    );
    let check = postgres["healthcheck"]["test"].to_string();
    assert!(check.contains("pg_isready"), "{check}");
    assert!(postgres["environment"]["POSTGRES_PASSWORD"].is_null());
    assert_eq!(env_files(postgres), ["postgres.env"]);

    for name in &replicas {
        let replica = &services[name.as_str()];
        assert_eq!(
            replica["depends_on"]["postgres"]["condition"], "service_healthy",
            "{name} waits for PostgreSQL"
        );
        assert_eq!(
            env_files(replica),
            ["career-bot.env", "postgres.env"],
            "{name}: the Slack tokens, then the database URL"
        );
        assert!(
            replica["environment"]["DATABASE_URL"].is_null(),
            "{name}: the URL holds the password, so it comes from the env file"
        );
        assert!(replica["volumes"].is_null(), "{name} keeps nothing on disk");
        assert_eq!(replica["read_only"], true);
        assert_eq!(replica["cap_drop"], json!(["ALL"]));
    }
    for name in &replicas {
        assert_eq!(
            services["proxy"]["depends_on"][name.as_str()]["condition"],
            "service_started"
        );
    }
    assert_eq!(
        services["proxy"]["volumes"][0],
        "./Caddyfile:/etc/caddy/Caddyfile:ro"
    );
}

#[test]
fn the_replicas_database_url_names_the_compose_postgres_and_no_password_is_in_the_yaml() {
    let compose = yaml("deploy/docker-compose.yml");
    let postgres = &compose["services"]["postgres"];
    let example = read("deploy/postgres.env.example");
    let password = env_value(&example, "POSTGRES_PASSWORD").expect("POSTGRES_PASSWORD=");
    let url = env_value(&example, "DATABASE_URL").expect("DATABASE_URL=");
    let user = postgres["environment"]["POSTGRES_USER"]
        .as_str()
        .expect("user");
    let database = postgres["environment"]["POSTGRES_DB"]
        .as_str()
        .expect("database");
    assert_eq!(
        url,
        format!("postgres://{user}:{password}@postgres:5432/{database}"),
        "the replicas reach the postgres service as the user it creates"
    );
    let raw = read("deploy/docker-compose.yml");
    assert!(!raw.contains(&password), "no password in the YAML");
    assert!(
        !raw.contains("POSTGRES_PASSWORD:"),
        "no password in the YAML"
    );
    let ignored = read(".gitignore");
    assert!(
        ignored.lines().any(|line| line == "/deploy/*.env"),
        "the filled-in env files are never committed"
    );
}

#[test]
fn the_proxy_balances_the_slack_routes_over_both_replicas_that_answer_readyz() {
    let compose = yaml("deploy/docker-compose.yml");
    let caddyfile = read("deploy/Caddyfile");
    let upstreams: Vec<&str> = caddyfile
        .lines()
        .find_map(|line| line.trim().strip_prefix("reverse_proxy "))
        .expect("a reverse_proxy line")
        .trim_end_matches('{')
        .split_whitespace()
        .collect();
    // The port the image listens on (CAREER_BOT_LISTEN in the Dockerfile).
    assert!(read("deploy/Dockerfile").contains("CAREER_BOT_LISTEN=0.0.0.0:3000"));
    let replicas: Vec<String> = services_in(&compose, Some("replicas"))
        .into_iter()
        .filter(|name| compose["services"][name.as_str()]["image"] == "career-bot:latest")
        .map(|name| format!("{name}:3000"))
        .collect();
    assert_eq!(upstreams, replicas);
    assert!(caddyfile.contains("health_uri /readyz"));

    // The paths the proxy publishes: each is a route of the bot, and every Slack route and the
    // health checks are among them. /metrics is not: its counters are per replica.
    let patterns: Vec<&str> = caddyfile
        .lines()
        .find_map(|line| line.trim().strip_prefix("@bot path "))
        .expect("the @bot matcher")
        .split_whitespace()
        .collect();
    let published = |path: &str| {
        patterns
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == *pattern,
            })
    };
    let routes = bot_routes();
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        assert!(routes.contains(path), "the bot serves {path}");
        assert!(published(path), "the proxy passes {path}");
    }
    for path in ["/healthz", "/readyz"] {
        assert!(published(path), "the proxy passes {path}");
    }
    assert!(!published("/metrics"));
    for route in &routes {
        assert!(
            published(route) || route == "/metrics",
            "{route} is published or deliberately not"
        );
    }
}

#[test]
fn kubernetes_runs_two_replicas_that_a_disruption_or_a_deploy_never_takes_both_of() {
    let dir = "deploy/kubernetes/replicas";
    let kustomization = yaml(&format!("{dir}/kustomization.yaml"));
    let mut kinds = BTreeSet::new();
    for resource in kustomization["resources"].as_array().expect("resources") {
        let file = format!("{dir}/{}", resource.as_str().expect("a file"));
        kinds.insert(yaml(&file)["kind"].as_str().expect("kind").to_owned());
    }
    assert!(
        !kinds.contains("PersistentVolumeClaim"),
        "no volume: the database is PostgreSQL"
    );
    for kind in [
        "Deployment",
        "PodDisruptionBudget",
        "Secret",
        "ConfigMap",
        "Service",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }

    let deployment = yaml(&format!("{dir}/deployment.yaml"));
    assert_eq!(deployment["spec"]["replicas"], 2);
    let strategy = &deployment["spec"]["strategy"];
    assert_eq!(strategy["type"], "RollingUpdate");
    assert_eq!(strategy["rollingUpdate"]["maxUnavailable"], 0);
    assert_eq!(strategy["rollingUpdate"]["maxSurge"], 1);

    let pods = &deployment["spec"]["template"]["metadata"]["labels"];
    let budget = yaml(&format!("{dir}/poddisruptionbudget.yaml"));
    assert_eq!(budget["apiVersion"], "policy/v1");
    assert_eq!(budget["spec"]["minAvailable"], 1);
    let selects = |selector: &Value| {
        let wanted = selector.as_object().expect("matchLabels");
        assert!(!wanted.is_empty());
        wanted.iter().all(|(key, value)| pods[key] == *value)
    };
    assert!(
        selects(&budget["spec"]["selector"]["matchLabels"]),
        "the budget covers the Deployment's pods"
    );
    assert!(selects(&deployment["spec"]["selector"]["matchLabels"]));
    let service = yaml(&format!("{dir}/service.yaml"));
    assert!(selects(&service["spec"]["selector"]));

    let spec = &deployment["spec"]["template"]["spec"];
    let volumes = spec["volumes"].as_array().expect("volumes");
    assert!(
        volumes
            .iter()
            .all(|volume| volume["persistentVolumeClaim"].is_null()),
        "no claim"
    );
}

#[test]
fn kubernetes_replicas_read_the_database_url_from_a_secret_and_probe_real_routes() {
    let dir = "deploy/kubernetes/replicas";
    let deployment = yaml(&format!("{dir}/deployment.yaml"));
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let env = container["env"].as_array().expect("env");
    let url = env
        .iter()
        .find(|variable| variable["name"] == "DATABASE_URL")
        .expect("DATABASE_URL");
    assert!(url["value"].is_null(), "never in the manifest");
    let reference = &url["valueFrom"]["secretKeyRef"];
    let secret = yaml(&format!("{dir}/secret-database.yaml"));
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(reference["name"], secret["metadata"]["name"]);
    let key = reference["key"].as_str().expect("key");
    let example = secret["stringData"][key]
        .as_str()
        .expect("the key is there");
    assert!(example.starts_with("postgres://"), "{example}");

    let routes = bot_routes();
    let liveness = container["livenessProbe"]["httpGet"]["path"]
        .as_str()
        .expect("liveness");
    let readiness = container["readinessProbe"]["httpGet"]["path"]
        .as_str()
        .expect("readiness");
    assert_eq!((liveness, readiness), ("/healthz", "/readyz"));
    assert!(routes.contains(liveness) && routes.contains(readiness));
    assert_eq!(container["readinessProbe"]["httpGet"]["port"], "http");
    assert_eq!(container["ports"][0]["name"], "http");
}

/// The replica files that are copies of the single-replica ones (kustomize cannot take the
/// directory above as a base, as it contains this one) stay copies, and the Deployment differs
/// only where running two replicas on PostgreSQL needs it, keeping its hardening.
#[test]
fn kubernetes_replicas_keep_everything_else_of_the_single_replica_setup() {
    for file in ["configmap.yaml", "secret.yaml"] {
        assert_eq!(
            yaml(&format!("deploy/kubernetes/replicas/{file}")),
            yaml(&format!("deploy/kubernetes/{file}")),
            "replicas/{file} is a copy of {file}"
        );
    }
    let single = yaml("deploy/kubernetes/deployment.yaml");
    let mut replicas = yaml("deploy/kubernetes/replicas/deployment.yaml");
    let spec = &mut replicas["spec"];
    spec["replicas"] = single["spec"]["replicas"].clone();
    spec["strategy"] = single["spec"]["strategy"].clone();
    let pod = &mut spec["template"]["spec"];
    pod.as_object_mut()
        .expect("pod spec")
        .remove("topologySpreadConstraints");
    pod["volumes"] = single["spec"]["template"]["spec"]["volumes"].clone();
    let env = pod["containers"][0]["env"].as_array_mut().expect("env");
    for variable in env.iter_mut() {
        if variable["name"] == "DATABASE_URL" {
            *variable =
                json!({"name": "DATABASE_URL", "value": "/var/lib/career-bot/career-bot.db"});
        }
    }
    assert_eq!(
        replicas, single,
        "only the replica count, strategy, spread, database URL and volume differ"
    );
    let spread = &yaml("deploy/kubernetes/replicas/deployment.yaml")["spec"]["template"]["spec"]["topologySpreadConstraints"]
        [0];
    assert_eq!(spread["topologyKey"], "kubernetes.io/hostname");
    assert_eq!(
        spread["labelSelector"]["matchLabels"],
        single["spec"]["selector"]["matchLabels"]
    );
}

#[test]
fn ci_starts_postgres_before_the_tests() {
    let run = read(".ci/run");
    let line_of = |wanted: &str| {
        run.lines()
            .position(|line| line.trim() == wanted)
            .unwrap_or_else(|| panic!(".ci/run has the line {wanted:?}"))
    };
    assert!(line_of("source .ci/postgres.sh") < line_of("cargo test"));
    let syntax = Command::new("bash")
        .args(["-n", ".ci/postgres.sh"])
        .current_dir(root())
        .status()
        .expect("bash");
    assert!(syntax.success());
}

/// Runs `script` in bash under `set -euo pipefail`, as .ci/run does, from the repository root;
/// its stdout and stderr.
fn sourcing(script: &str, env: &[(&str, &str)]) -> (String, String) {
    let output = Command::new("bash")
        .args(["-c", &format!("set -euo pipefail\n{script}")])
        .current_dir(root())
        .env_remove("CAREER_BOT_TEST_POSTGRES_URL")
        .env_remove("CAREER_BOT_CI_POSTGRES_PORT")
        .envs(env.iter().copied())
        .output()
        .expect("bash");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    assert!(output.status.success(), "{output:?}");
    (text(output.stdout), text(output.stderr))
}

#[test]
fn ci_postgres_uses_a_given_database_and_starts_nothing() {
    let given = "postgres://someone@db.example:5432/tests";
    let (stdout, stderr) = sourcing(
        "source .ci/postgres.sh\necho \"$CAREER_BOT_TEST_POSTGRES_URL\"\ntrap -p EXIT",
        &[("CAREER_BOT_TEST_POSTGRES_URL", given)],
    );
    assert_eq!(stdout, format!("{given}\n"), "unchanged, and no exit trap");
    assert!(stderr.contains("as given"), "{stderr}");
}

#[test]
fn ci_postgres_that_cannot_start_says_so_in_one_line_and_the_run_goes_on() {
    let (stdout, stderr) = sourcing(
        "trap 'echo earlier trap ran' EXIT\nsource .ci/postgres.sh\n\
         echo \"went on, url=${CAREER_BOT_TEST_POSTGRES_URL:-unset}\"",
        &[("CAREER_BOT_CI_POSTGRES_PORT", "not-a-port")],
    );
    assert_eq!(stdout, "went on, url=unset\nearlier trap ran\n");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("note: PostgreSQL could not be started")
            && stderr.contains("CAREER_BOT_CI_POSTGRES_PORT")
            && stderr.contains("skipped"),
        "{stderr}"
    );
}

/// The README's "Running several replicas" commands name files and services that exist.
#[test]
fn the_readme_section_on_replicas_uses_the_real_files_and_services() {
    let readme = read("README.md");
    let section = readme
        .split("\n## Running several replicas\n")
        .nth(1)
        .expect("the section")
        .split("\n## ")
        .next()
        .expect("its text");
    let compose = yaml("deploy/docker-compose.yml");
    let command = section
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("docker compose "))
        .expect("the compose command");
    assert!(
        command.contains("-f deploy/docker-compose.yml --profile replicas up -d proxy"),
        "{command}"
    );
    assert!(services_in(&compose, Some("replicas")).contains("proxy"));
    assert!(section.contains("cp deploy/postgres.env.example deploy/postgres.env"));
    assert!(root().join("deploy/postgres.env.example").is_file());
    assert!(section.contains("kubectl apply -k deploy/kubernetes/replicas/"));
    assert!(
        root()
            .join("deploy/kubernetes/replicas/kustomization.yaml")
            .is_file()
    );
    assert!(section.contains("migrate-db --to "));
    // The first two commands of the README stay the first two.
    let first: Vec<&str> = readme
        .lines()
        .filter(|line| {
            line.starts_with("cargo ")
                || line.starts_with("docker ")
                || line.starts_with("kubectl ")
        })
        .take(2)
        .collect();
    assert!(
        first[0].starts_with("cargo run --release -- shell"),
        "{first:?}"
    );
    assert!(first[1].starts_with("cargo test"), "{first:?}");
}
