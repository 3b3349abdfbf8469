//! The examples gallery: each seed example as a ready scenario (the same files the scenario
//! tests run), with one sentence on what to watch.

/// One example of the gallery.
pub struct Example {
    pub id: &'static str,
    pub title: &'static str,
    /// What to watch, in one sentence.
    pub watch: &'static str,
    pub scenario: &'static str,
}

macro_rules! scenario {
    ($file:literal) => {
        include_str!(concat!("../../tests/scenarios/", $file, ".yaml"))
    };
}

pub const GALLERY: &[Example] = &[
    Example {
        id: "myweb-ds",
        title: "DaemonSet myweb-ds",
        watch: "One pod per node; when worker-3 is deleted at 1m30s its pod is not recreated elsewhere.",
        scenario: scenario!("myweb-ds"),
    },
    Example {
        id: "daemonset-1",
        title: "DaemonSet with nodeSelector os=centos",
        watch: "Pods only on nodes labelled os=centos; a node labelled later gets one too.",
        scenario: scenario!("daemonset-1"),
    },
    Example {
        id: "fluentd",
        title: "fluentd tolerating the control plane",
        watch: "The toleration lets fluentd onto the tainted control-plane node; the plain DaemonSet stays off it.",
        scenario: scenario!("fluentd-control-plane"),
    },
    Example {
        id: "ds-rolling-update",
        title: "DaemonSet rolling update",
        watch: "After set image at 1m, pods are replaced one node at a time, 10s apart (minReadySeconds).",
        scenario: scenario!("ds-rolling-update"),
    },
    Example {
        id: "ds-surge",
        title: "DaemonSet update with maxSurge",
        watch: "Each new pod starts beside the old one; the old one goes only once the new one is available.",
        scenario: scenario!("ds-surge"),
    },
    Example {
        id: "mypi",
        title: "Job mypi with a TTL",
        watch: "The Job completes, and 10s later the TTL controller deletes it and its pod.",
        scenario: scenario!("mypi"),
    },
    Example {
        id: "mypi-para",
        title: "Job mypi-para (3 at once)",
        watch: "completions 3 and parallelism 3: all three pods run together.",
        scenario: scenario!("mypi-para"),
    },
    Example {
        id: "job-1",
        title: "Job job-1 with a deadline",
        watch: "Two pods at a time; at 30s the deadline stops the running ones and the Job fails.",
        scenario: scenario!("job-1"),
    },
    Example {
        id: "sleep-cj-allow",
        title: "CronJob sleep-cj: Allow",
        watch: "A run every minute lasting 80s: runs overlap.",
        scenario: scenario!("sleep-cj-allow"),
    },
    Example {
        id: "sleep-cj-forbid",
        title: "CronJob sleep-cj: Forbid",
        watch: "A run that is due while one is active is held back (JobAlreadyActive).",
        scenario: scenario!("sleep-cj-forbid"),
    },
    Example {
        id: "sleep-cj-replace",
        title: "CronJob sleep-cj: Replace",
        watch: "The active Job is deleted and a new one created at each schedule.",
        scenario: scenario!("sleep-cj-replace"),
    },
    Example {
        id: "cron-job",
        title: "CronJob cron-job (every minute)",
        watch: "A Job each minute; only the three newest finished Jobs are kept (successfulJobsHistoryLimit).",
        scenario: scenario!("cron-job"),
    },
    Example {
        id: "pod-nodename",
        title: "Pod pinned with nodeName",
        watch: "No scheduler involved: it runs on work1 even though work1 is cordoned.",
        scenario: scenario!("pod-nodename"),
    },
    Example {
        id: "gpu-pod",
        title: "Pod with nodeSelector gpu=true",
        watch: "Pending with the scheduler's reason until a node gets the label.",
        scenario: scenario!("gpu-pod"),
    },
    Example {
        id: "node-failure",
        title: "A node stops reporting",
        watch: "NotReady, then the unreachable taint; the bare pod is evicted 5 minutes later (press +1m).",
        scenario: scenario!("node-failure"),
    },
    Example {
        id: "second-scheduler",
        title: "Pod for a scheduler that does not exist",
        watch: "Pending forever, with no event: nobody is there to say why.",
        scenario: scenario!("second-scheduler"),
    },
    Example {
        id: "replicaset",
        title: "ReplicaSet adopting and releasing pods",
        watch: "A bare pod with matching labels is adopted instead of a new one; relabelled at 20s it is released and replaced; scaled to 5 and back to 3 at 40s and 45s.",
        scenario: scenario!("replicaset"),
    },
    Example {
        id: "deployment-rolling-update",
        title: "Deployment rolling update",
        watch: "A new ReplicaSet scales up one pod at a time (maxSurge 1) while the old one scales down, never below 3 available (maxUnavailable 0).",
        scenario: scenario!("deployment-rolling-update"),
    },
    Example {
        id: "hpa-scale-out-in",
        title: "HPA scaling out and back in",
        watch: "A CPU load at 40s scales the pods out 1 → 4 → 8 → 10, each step at most double the count or 4 (no behavior set); the load drops at 200s, but it scales in only 300s after its last high recommendation (see the hpa table).",
        scenario: scenario!("hpa-scale-out-in"),
    },
    Example {
        id: "quota-deployment",
        title: "ResourceQuota stopping a Deployment",
        watch: "Only two of four pods fit the quota: the ReplicaSet reports FailedCreate with the API server's \"exceeded quota\" message and retries (see the events table).",
        scenario: scenario!("quota-deployment"),
    },
    Example {
        id: "service-daemonset",
        title: "Service with endpoints following pods",
        watch: "Hover the Service box: its pods light up. Endpoints go not-ready when node-2 fails at 20s; node-3's pod leaves them after it is deleted at 100s.",
        scenario: scenario!("service-daemonset"),
    },
    Example {
        id: "static-pod",
        title: "A static pod",
        watch: "The kubelet runs it and publishes a mirror pod NAME-NODE that comes back when deleted.",
        scenario: scenario!("static-pod"),
    },
];
