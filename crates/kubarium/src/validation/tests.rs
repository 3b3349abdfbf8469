//! Validation as a table: manifest, then the exact kubectl messages expected (or none).

use crate::manifest::parse_manifests;

/// Every problem of `text`, as `line:column path body` strings.
fn problems(text: &str) -> Vec<String> {
    match parse_manifests(text) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems
            .iter()
            .map(|problem| {
                let pos = problem
                    .pos
                    .map(|pos| format!("{}:{}", pos.line, pos.column))
                    .unwrap_or_default();
                format!("{pos} {}", problem.message)
            })
            .collect(),
    }
}

#[test]
fn every_seed_manifest_is_valid_except_the_typo() {
    let seeds: &[(&str, &str)] = &[
        ("myweb-ds", include_str!("../../seeds/myweb-ds.yaml")),
        ("daemonset-1", include_str!("../../seeds/daemonset-1.yaml")),
        (
            "fluentd-elasticsearch",
            include_str!("../../seeds/fluentd-elasticsearch.yaml"),
        ),
        ("mypi", include_str!("../../seeds/mypi.yaml")),
        ("mypi-para", include_str!("../../seeds/mypi-para.yaml")),
        ("job-1", include_str!("../../seeds/job-1.yaml")),
        ("sleep-cj", include_str!("../../seeds/sleep-cj.yaml")),
        ("cron-job", include_str!("../../seeds/cron-job.yaml")),
        ("static-web", include_str!("../../seeds/static-web.yaml")),
        ("http-go-nodename", include_str!("../../seeds/http-go-nodename.yaml")),
        ("http-go-gpu", include_str!("../../seeds/http-go-gpu.yaml")),
        ("multi-scheduler", include_str!("../../seeds/multi-scheduler.yaml")),
        ("myapp-hpa", include_str!("../../seeds/myapp-hpa.yaml")),
        ("myweb-svc", include_str!("../../seeds/myweb-svc.yaml")),
        ("myapp-rc", include_str!("../../seeds/myapp-rc.yaml")),
    ];
    for (name, text) in seeds {
        assert_eq!(problems(text), Vec::<String>::new(), "seed {name}");
    }
    let typo = problems(include_str!("../../seeds/fluentd-elasticsearch-typo.yaml"));
    assert_eq!(typo, ["9:3 unknown field \"spec.slector\""]);
}

struct Case {
    name: &'static str,
    manifest: &'static str,
    expect: &'static [&'static str],
}

#[test]
fn validation_messages_table() {
    let cases = [
        Case {
            name: "DaemonSet template restartPolicy must be Always",
            manifest: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      restartPolicy: OnFailure\n      containers: [{name: c, image: x}]\n",
            expect: &["9:22 spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""],
        },
        Case {
            name: "selector does not match template labels",
            manifest: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers: [{name: c, image: x}]\n",
            expect: &["8:15 spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match template `labels`"],
        },
        Case {
            name: "Job without restartPolicy",
            manifest: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n",
            expect: &["7:7 spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""],
        },
        Case {
            name: "negative Job counts",
            manifest: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: -1\n  backoffLimit: -2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x}]\n",
            expect: &[
                "5:16 spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
                "6:17 spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0",
            ],
        },
        Case {
            name: "Indexed Job needs completions",
            manifest: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: x}]\n",
            expect: &["5:19 spec.completions: Required value: when completion mode is Indexed"],
        },
        Case {
            name: "bad names and labels",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: My_Pod\n  labels: {\"bad key\": ok}\nspec:\n  containers: [{name: Web, image: x}]\n",
            expect: &[
                "4:9 metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "5:12 metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "7:23 spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ],
        },
        Case {
            name: "missing name",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: b}}\nspec:\n  containers: [{name: c, image: x}]\n",
            expect: &["3:11 metadata.name: Required value: name or generateName is required"],
        },
        Case {
            name: "container ports",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - containerPort: 70000\n    - {containerPort: 80, protocol: HTTP}\n",
            expect: &[
                "9:22 spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "10:37 spec.containers[0].ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ],
        },
        Case {
            name: "duplicate container names and missing image",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: x}\n  - {name: c}\n",
            expect: &[
                "7:12 spec.containers[1].name: Duplicate value: \"c\"",
                "7:5 spec.containers[1].image: Required value",
            ],
        },
        Case {
            name: "tolerations",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n  tolerations:\n  - {operator: Equal, effect: NoSchedule}\n  - {key: k, operator: Exists, value: v}\n  - {key: k, effect: NoSchedule, tolerationSeconds: 5}\n",
            expect: &[
                "7:16 spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
                "8:39 spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
                "9:22 spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
            ],
        },
        Case {
            name: "requests above limits",
            manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      requests: {cpu: \"2\"}\n      limits: {cpu: \"1\"}\n",
            expect: &["9:23 spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"],
        },
        Case {
            name: "Deployment strategy",
            manifest: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}\n",
            expect: &["8:20 spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
        },
        Case {
            name: "Deployment without selector",
            manifest: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {run: app}}\n    spec: {containers: [{name: c, image: x}]}\n",
            expect: &[
                "5:3 spec.selector: Required value",
                "6:24 spec.template.metadata.labels: Invalid value: map[string]string{\"run\":\"app\"}: `selector` does not match template `labels`",
            ],
        },
        Case {
            name: "both zero in a rolling update",
            manifest: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 0%}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}\n",
            expect: &["7:50 spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0"],
        },
        Case {
            name: "CronJob policy, TZ and name length",
            manifest: "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: a-very-long-cronjob-name-that-is-longer-than-fifty-two-chars\nspec:\n  schedule: \"TZ=UTC 0 * * * *\"\n  concurrencyPolicy: Never\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n",
            expect: &[
                "4:9 metadata.name: Invalid value: \"a-very-long-cronjob-name-that-is-longer-than-fifty-two-chars\": must be no more than 52 characters",
                "6:13 spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                "7:22 spec.concurrencyPolicy: Unsupported value: \"Never\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
            ],
        },
        Case {
            name: "CronJob with CRON_TZ naming a known zone: only the TZ rule, and an unknown one: both",
            manifest: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"CRON_TZ=Europe/Paris 0 9 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: d}\nspec:\n  schedule: \"TZ=Mars/Olympus 0 9 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n",
            expect: &[
                "5:13 spec.schedule: Invalid value: \"CRON_TZ=Europe/Paris 0 9 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                "17:13 spec.schedule: Invalid value: \"TZ=Mars/Olympus 0 9 * * *\": provided bad location Mars/Olympus: unknown time zone Mars/Olympus",
                "17:13 spec.schedule: Invalid value: \"TZ=Mars/Olympus 0 9 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ],
        },
        Case {
            name: "CronJob job template restartPolicy",
            manifest: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"* * * * *\"\n  timeZone: Local\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: x}]\n",
            expect: &[
                "6:13 spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
                "11:11 spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
            ],
        },
        Case {
            name: "CronJob time zone unknown to the database (names are case-sensitive)",
            manifest: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"* * * * *\"\n  timeZone: Europe/Pariss\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: d}\nspec:\n  schedule: \"* * * * *\"\n  timeZone: europe/paris\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: x}]\n",
            expect: &[
                "6:13 spec.timeZone: Invalid value: \"Europe/Pariss\": unknown time zone Europe/Pariss",
                "19:13 spec.timeZone: Invalid value: \"europe/paris\": unknown time zone europe/paris",
            ],
        },
        Case {
            name: "HPA replicas",
            manifest: "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  minReplicas: 5\n  maxReplicas: 2\n  scaleTargetRef: {kind: Deployment}\n  targetCPUUtilizationPercentage: 0\n",
            expect: &[
                "6:16 spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
                "7:19 spec.scaleTargetRef.name: Required value",
                "8:35 spec.targetCPUUtilizationPercentage: Invalid value: 0: must be greater than 0",
            ],
        },
        Case {
            // `ValidateService` checks every port's name before the node ports.
            name: "Service ports and node ports",
            manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec:\n  type: NodePort\n  ports:\n  - {port: 80, nodePort: 8080}\n  - {port: 81}\n",
            expect: &[
                "3:18 metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                "7:5 spec.ports[0].name: Required value",
                "8:5 spec.ports[1].name: Required value",
                "7:26 spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767",
            ],
        },
        Case {
            name: "Service IP fields, duplicate ports and type-only fields",
            manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.96.0.300\n  allocateLoadBalancerNodePorts: true\n  internalTrafficPolicy: Nearby\n  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 80}\n",
            expect: &[
                "5:14 spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                "10:5 spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
                "6:34 spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
                "7:26 spec.internalTrafficPolicy: Unsupported value: \"Nearby\": supported values: \"Cluster\", \"Local\"",
            ],
        },
        Case {
            name: "ExternalName Services have a name and no IP fields",
            manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: mail}\nspec: {type: ExternalName, clusterIP: 10.96.0.5, ipFamilyPolicy: SingleStack}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {type: ExternalName, healthCheckNodePort: 30000}\n",
            expect: &[
                "4:39 spec.clusterIPs: Forbidden: may not be set for ExternalName services",
                "4:66 spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services",
                "4:7 spec.externalName: Required value",
                "9:7 spec.externalName: Required value",
                "9:49 spec.healthCheckNodePort: Invalid value: 30000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ],
        },
        Case {
            name: "clusterIPs must follow clusterIP",
            manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.11]\n  type: NodePort\n  ports: [{port: 80}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: headless}\nspec: {type: NodePort, clusterIP: None, ports: [{port: 80}]}\n",
            expect: &[
                "6:15 spec.clusterIPs: Invalid value: []string{\"10.96.0.11\"}: first value must match `clusterIP`",
                "13:35 spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
            ],
        },
        Case {
            // An invalid selector cannot be converted (`LabelSelectorAsSelector` fails), so the
            // template is not compared with it.
            name: "selector expressions",
            manifest: "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  selector:\n    matchExpressions:\n    - {key: app, operator: In}\n    - {key: env, operator: Exists, values: [x]}\n  template:\n    metadata: {labels: {app: web, env: x}}\n    spec: {containers: [{name: c, image: x}]}\n",
            expect: &[
                "7:7 spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "8:44 spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ],
        },
        Case {
            name: "LimitRange ordering",
            manifest: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n    min: {cpu: 500m}\n    max: {cpu: 200m}\n",
            expect: &["7:16 spec.limits[0].min[cpu]: Invalid value: \"500m\": min value 500m is greater than max value 200m"],
        },
    ];
    let mut failures = Vec::new();
    for case in cases {
        let actual = problems(case.manifest);
        if actual != case.expect {
            failures.push(format!(
                "case: {}\n  expected: {:#?}\n  actual:   {:#?}",
                case.name, case.expect, actual
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
