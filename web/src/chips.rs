//! Pod chips: a list of chips (a node card's pods, the Pending lane) patched in place.
//!
//! A frame of play at 60x can start and finish a hundred pods over dozens of cards. Chips are
//! therefore not Leptos views: one effect per list walks the new pod views beside the chips
//! it shows (both in key order) and touches the page only where a pod came, went or changed
//! its status. A chip whose pod did not change costs a pointer comparison.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use kubarium::api::Uid;
use kubarium::PodView;
use leptos::html::Ul;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A hue per owner, so the chips of one DaemonSet, Job or CronJob share a colour (the phase is
/// told by the icon and the border, not by colour).
pub fn owner_hue(owner: &str) -> u32 {
    if owner.is_empty() {
        return 215;
    }
    // FNV-1a, folded onto the colour wheel.
    let hash = owner.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash % 360
}

/// Shape, not colour alone, tells the phase.
fn phase_icon(status: &str) -> &'static str {
    match status {
        "Running" => "●",
        "ContainerCreating" => "◌",
        "Succeeded" | "Completed" => "✓",
        "Failed" | "Error" | "CrashLoopBackOff" | "DeadlineExceeded" => "✕",
        "Terminating" => "◍",
        _ => "○",
    }
}

/// How a chip came to show its pod's status, for its animation (CSS turns these off at fast
/// speeds and for reduced motion).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Change {
    /// The pod is new to this list: the chip animates in.
    Arrived,
    /// The pod's status changed: the chip flashes.
    StatusChanged,
    /// It changed again: the flash under another name, so that it plays again.
    StatusChangedAgain,
    /// As before (or the highlight moved).
    Unchanged,
}

/// The chip's `class`: its status as a class (`phase-running`, `phase-completed`, ...), its
/// animation and whether the hovered Service selects its pod.
fn chip_class(pod: &PodView, change: Change, linked: bool) -> String {
    let change = match change {
        Change::Arrived => " chip-new",
        Change::StatusChanged => " chip-changed",
        Change::StatusChangedAgain => " chip-changed-again",
        Change::Unchanged => "",
    };
    let linked = if linked { " linked" } else { "" };
    format!("pod-chip phase-{}{change}{linked}", pod.status.to_lowercase())
}

fn chip_title(pod: &PodView) -> String {
    let owner = pod.owner.as_deref().unwrap_or("nobody");
    format!("{} ({}) owned by {owner}", pod.name, pod.status)
}

fn chip_label(pod: &PodView) -> String {
    format!("pod {}, {}: describe", pod.name, pod.status)
}

/// The order of the lists: a node's pods come in store key order, namespace then name.
fn order_key(pod: &PodView) -> (&str, &str) {
    (&pod.namespace, &pod.name)
}

/// What the chip list does to its chips for a new list of pods, worked out without the page
/// (so it can be unit-tested): for each pod of the new list, in order, the chip it keeps (by
/// index into the old list) or that a chip is made; and the old chips that go.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    /// Per new pod: `Some(old index)` keeps that chip (updated if its view changed), `None`
    /// makes a new chip, placed before the next kept chip.
    keep: Vec<Option<usize>>,
    /// Old chips whose pod is no longer in the list.
    remove: Vec<usize>,
}

/// Both lists are in `order_key` order (`view_of` gives the view an old item shows); a pod is
/// the same pod when its uid is (a pod deleted and made again under its name is a new chip).
fn plan<T>(old: &[T], view_of: impl Fn(&T) -> &Arc<PodView>, new: &[Arc<PodView>]) -> Plan {
    let mut keep = Vec::with_capacity(new.len());
    let mut remove = Vec::new();
    let mut next = 0;
    for pod in new {
        while old
            .get(next)
            .map(&view_of)
            .is_some_and(|shown| order_key(shown) < order_key(pod))
        {
            remove.push(next);
            next += 1;
        }
        match old.get(next).map(&view_of) {
            Some(shown) if Arc::ptr_eq(shown, pod) || shown.uid == pod.uid => {
                keep.push(Some(next));
                next += 1;
            }
            Some(shown) if order_key(shown) == order_key(pod) => {
                // The same name, another pod: the old chip goes, a new one comes.
                remove.push(next);
                next += 1;
                keep.push(None);
            }
            _ => keep.push(None),
        }
    }
    remove.extend(next..old.len());
    Plan { keep, remove }
}

/// How long a chip takes to animate out (`chip-out` in `style.css`) before it is removed.
const LEAVING_MS: u64 = 220;

/// A chip on the page: the element and the two texts that follow its pod's status.
struct Chip {
    view: Arc<PodView>,
    /// How often its status changed in place (the flash alternates its name).
    changes: u32,
    element: web_sys::Element,
    icon: web_sys::Element,
    status: web_sys::Element,
}

fn element(document: &web_sys::Document, tag: &str, class: &str, text: &str) -> Option<web_sys::Element> {
    let element = document.create_element(tag).ok()?;
    element.set_class_name(class);
    element.set_text_content(Some(text));
    Some(element)
}

impl Chip {
    /// `<li class="pod-chip phase-…" data-testid="pod-chip" data-phase data-owner …>` with the
    /// phase icon, the pod's name and its status: the test hooks and ARIA of the playground.
    fn new(document: &web_sys::Document, pod: &Arc<PodView>, linked: bool) -> Option<Chip> {
        let item = document.create_element("li").ok()?;
        let owner = pod.owner.as_deref().unwrap_or("");
        let attributes = [
            ("class", chip_class(pod, Change::Arrived, linked)),
            ("style", format!("--owner-hue: {}", owner_hue(owner))),
            ("data-testid", "pod-chip".to_string()),
            ("data-phase", pod.phase.clone()),
            ("data-owner", owner.to_string()),
            ("title", chip_title(pod)),
            ("tabindex", "0".to_string()),
            ("role", "button".to_string()),
            ("aria-label", chip_label(pod)),
            ("data-namespace", pod.namespace.clone()),
            ("data-name", pod.name.clone()),
        ];
        for (name, value) in attributes {
            item.set_attribute(name, &value).ok()?;
        }
        let icon = element(document, "span", "phase-icon", phase_icon(&pod.status))?;
        icon.set_attribute("aria-hidden", "true").ok()?;
        let name = element(document, "span", "pod-name", &pod.name)?;
        let status = element(document, "span", "pod-status", &pod.status)?;
        for child in [&icon, &name, &status] {
            item.append_child(child).ok()?;
        }
        Some(Chip {
            view: Arc::clone(pod),
            changes: 0,
            element: item,
            icon,
            status,
        })
    }

    /// Shows `pod` (the same pod, perhaps changed); the page is touched only if its status or
    /// phase changed (its name, namespace and owner are the pod's for life).
    fn show(&mut self, pod: &Arc<PodView>, linked: bool) {
        if Arc::ptr_eq(&self.view, pod) {
            return;
        }
        if self.view.status != pod.status || self.view.phase != pod.phase {
            let change = if self.view.status == pod.status {
                Change::Unchanged
            } else {
                self.changes += 1;
                if self.changes % 2 == 1 {
                    Change::StatusChanged
                } else {
                    Change::StatusChangedAgain
                }
            };
            self.element.set_class_name(&chip_class(pod, change, linked));
            let _ = self.element.set_attribute("data-phase", &pod.phase);
            let _ = self.element.set_attribute("title", &chip_title(pod));
            let _ = self.element.set_attribute("aria-label", &chip_label(pod));
            self.icon.set_text_content(Some(phase_icon(&pod.status)));
            self.status.set_text_content(Some(&pod.status));
        }
        self.view = Arc::clone(pod);
    }

    /// The pod left the list: the chip animates out, no longer a chip for tests, assistive
    /// technology or the keyboard, and is removed after the animation. At 60x and faster, or
    /// with reduced motion, CSS hides it at once.
    fn leave(self) {
        let element = self.element;
        element.set_class_name(&format!("{} chip-leaving", element.class_name()));
        let _ = element.set_attribute("data-testid", "pod-chip-leaving");
        let _ = element.set_attribute("aria-hidden", "true");
        let _ = element.remove_attribute("tabindex");
        set_timeout(move || element.remove(), std::time::Duration::from_millis(LEAVING_MS));
    }
}

/// The chips a list shows, and the `<ul>` they are in (a list mounted again starts afresh).
#[derive(Default)]
struct Shown {
    list: Option<web_sys::Element>,
    chips: Vec<Chip>,
}

impl Shown {
    fn patch(&mut self, list: &web_sys::Element, pods: &[Arc<PodView>], linked: &dyn Fn(&Uid) -> bool) {
        if self.list.as_ref() != Some(list) {
            list.set_text_content(None);
            self.chips.clear();
            self.list = Some(list.clone());
        }
        let Some(document) = list.owner_document() else { return };
        let Plan { keep, remove } = plan(&self.chips, |chip| &chip.view, pods);
        // A chip that leaves with the focus hands it to the chip now in its place.
        let focused = document.active_element();
        let focus_from = remove
            .iter()
            .copied()
            .find(|&index| focused.as_ref() == Some(&self.chips[index].element))
            .map(|index| keep.iter().flatten().filter(|&&kept| kept < index).count());
        let mut old: Vec<Option<Chip>> = std::mem::take(&mut self.chips).into_iter().map(Some).collect();
        for index in remove {
            if let Some(chip) = old[index].take() {
                chip.leave();
            }
        }
        // New chips go before the next chip kept; walking from the end, that is the last chip
        // placed.
        let mut placed: Vec<Chip> = Vec::with_capacity(pods.len());
        let mut before: Option<web_sys::Element> = None;
        for (pod, kept) in pods.iter().zip(keep).rev() {
            let chip = match kept.and_then(|index| old[index].take()) {
                Some(mut chip) => {
                    chip.show(pod, linked(&pod.uid));
                    Some(chip)
                }
                None => Chip::new(&document, pod, linked(&pod.uid)).inspect(|chip| {
                    let _ = list.insert_before(&chip.element, before.as_ref().map(|element| element.unchecked_ref()));
                }),
            };
            if let Some(chip) = chip {
                before = Some(chip.element.clone());
                placed.push(chip);
            }
        }
        placed.reverse();
        if let Some(position) = focus_from {
            let heir = placed.get(position).or(placed.last());
            if let Some(heir) = heir.and_then(|chip| chip.element.dyn_ref::<web_sys::HtmlElement>()) {
                let _ = heir.focus();
            }
        }
        self.chips = placed;
    }

    /// Lights up the chips of the pods the hovered Service selects.
    fn relight(&self, linked: &dyn Fn(&Uid) -> bool) {
        for chip in &self.chips {
            chip.element
                .set_class_name(&chip_class(&chip.view, Change::Unchanged, linked(&chip.view.uid)));
        }
    }
}

/// The chips of `pods`, in their order. Clicks and keys on chips are handled page-wide
/// (`cluster::describe_chips_on_click`).
#[component]
pub fn ChipList(#[prop(into)] pods: Signal<Vec<Arc<PodView>>>) -> impl IntoView {
    let list = NodeRef::<Ul>::new();
    let shown = Rc::new(RefCell::new(Shown::default()));
    let highlight = use_context::<crate::services::Highlight>();
    let linked = move |uid: &Uid| match highlight {
        Some(crate::services::Highlight(signal)) => {
            signal.with_untracked(|uids| uids.iter().any(|linked| uid == linked))
        }
        None => false,
    };
    {
        let shown = Rc::clone(&shown);
        Effect::new(move |_| {
            pods.with(|pods| {
                if let Some(list) = list.get() {
                    shown.borrow_mut().patch(&list, pods, &linked);
                }
            });
        });
    }
    // Only when the highlight moves: the chips were made with it (relighting them at mount
    // would also cut their entry animation short).
    Effect::new(move |mounted: Option<()>| {
        if let Some(crate::services::Highlight(signal)) = highlight {
            signal.track();
        }
        if mounted.is_some() {
            shown.borrow().relight(&linked);
        }
    });
    view! { <ul class="pods" node_ref=list></ul> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, uid: &str, status: &str) -> Arc<PodView> {
        Arc::new(PodView {
            uid: Uid::from(uid),
            name: name.to_string(),
            namespace: "default".to_string(),
            phase: "Running".to_string(),
            status: status.to_string(),
            owner: None,
            node: None,
        })
    }

    #[test]
    fn plans_keep_chips_of_the_same_pod_and_replace_the_rest() {
        let a = pod("a", "1", "Running");
        let b = pod("b", "2", "Running");
        let c = pod("c", "3", "Running");
        let b_again = pod("b", "9", "Pending");
        let c_changed = pod("c", "3", "Completed");
        struct Case {
            name: &'static str,
            old: Vec<Arc<PodView>>,
            new: Vec<Arc<PodView>>,
            expect: Plan,
        }
        let cases = [
            Case {
                name: "unchanged",
                old: vec![a.clone(), b.clone()],
                new: vec![a.clone(), b.clone()],
                expect: Plan {
                    keep: vec![Some(0), Some(1)],
                    remove: vec![],
                },
            },
            Case {
                name: "one arrives in the middle, one leaves at the end",
                old: vec![a.clone(), c.clone(), pod("d", "4", "Running")],
                new: vec![a.clone(), b.clone(), c_changed.clone()],
                expect: Plan {
                    keep: vec![Some(0), None, Some(1)],
                    remove: vec![2],
                },
            },
            Case {
                name: "a pod made again under its name is a new chip",
                old: vec![a.clone(), b.clone(), c.clone()],
                new: vec![a.clone(), b_again.clone(), c.clone()],
                expect: Plan {
                    keep: vec![Some(0), None, Some(2)],
                    remove: vec![1],
                },
            },
            Case {
                name: "all go",
                old: vec![a.clone(), b.clone()],
                new: vec![],
                expect: Plan {
                    keep: vec![],
                    remove: vec![0, 1],
                },
            },
            Case {
                name: "all new",
                old: vec![],
                new: vec![a.clone(), c.clone()],
                expect: Plan {
                    keep: vec![None, None],
                    remove: vec![],
                },
            },
        ];
        for case in cases {
            assert_eq!(plan(&case.old, |pod| pod, &case.new), case.expect, "{}", case.name);
        }
    }

    #[test]
    fn classes_tell_the_status_its_change_and_the_highlight() {
        let completed = pod("a", "1", "Completed");
        assert_eq!(
            chip_class(&completed, Change::Arrived, false),
            "pod-chip phase-completed chip-new"
        );
        assert_eq!(
            chip_class(&completed, Change::StatusChanged, true),
            "pod-chip phase-completed chip-changed linked"
        );
        assert_eq!(
            chip_class(&completed, Change::Unchanged, false),
            "pod-chip phase-completed"
        );
        assert_eq!(
            chip_class(&completed, Change::StatusChangedAgain, false),
            "pod-chip phase-completed chip-changed-again"
        );
        assert_eq!(chip_title(&completed), "a (Completed) owned by nobody");
    }
}

/// The patcher on a real page (`cargo test -p kubarium-web --target wasm32-unknown-unknown`
/// in headless Chromium, run by `scripts/test`).
#[cfg(all(test, target_arch = "wasm32"))]
mod page_tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn pod(name: &str, uid: &str, status: &str) -> Arc<PodView> {
        Arc::new(PodView {
            uid: Uid::from(uid),
            name: name.to_string(),
            namespace: "default".to_string(),
            phase: if status == "Completed" { "Succeeded" } else { "Running" }.to_string(),
            status: status.to_string(),
            owner: Some("job/j".to_string()),
            node: None,
        })
    }

    /// Each chip on the page as (data-name, data-phase, status text, class).
    fn chips_of(list: &web_sys::Element) -> Vec<(String, String, String, String)> {
        let items = list.children();
        (0..items.length())
            .filter_map(|index| items.item(index))
            .filter(|item| item.get_attribute("data-testid").as_deref() == Some("pod-chip"))
            .map(|item| {
                let attribute = |name: &str| item.get_attribute(name).unwrap_or_default();
                let status = item
                    .query_selector(".pod-status")
                    .ok()
                    .flatten()
                    .and_then(|status| status.text_content())
                    .unwrap_or_default();
                (
                    attribute("data-name"),
                    attribute("data-phase"),
                    status,
                    item.class_name(),
                )
            })
            .collect()
    }

    #[wasm_bindgen_test]
    fn a_list_is_patched_in_place_in_key_order() {
        let document = web_sys::window().and_then(|window| window.document()).expect("a page");
        let list = document.create_element("ul").expect("an element");
        let mut shown = Shown::default();
        let none = |_: &Uid| false;
        let (a, c, d) = (
            pod("a", "1", "Running"),
            pod("c", "3", "Running"),
            pod("d", "4", "Running"),
        );
        shown.patch(&list, &[a.clone(), c.clone(), d.clone()], &none);
        let first_c = list.children().item(1).expect("c's chip");
        assert_eq!(
            chips_of(&list).iter().map(|chip| chip.0.as_str()).collect::<Vec<_>>(),
            ["a", "c", "d"]
        );

        // b arrives between a and c, c completes, d goes.
        let b = pod("b", "2", "Running");
        shown.patch(&list, &[a.clone(), b, pod("c", "3", "Completed")], &none);
        let chips = chips_of(&list);
        assert_eq!(
            chips
                .iter()
                .map(|chip| (chip.0.as_str(), chip.1.as_str(), chip.2.as_str()))
                .collect::<Vec<_>>(),
            [
                ("a", "Running", "Running"),
                ("b", "Running", "Running"),
                ("c", "Succeeded", "Completed")
            ]
        );
        assert_eq!(chips[1].3, "pod-chip phase-running chip-new");
        assert_eq!(chips[2].3, "pod-chip phase-completed chip-changed");
        assert!(
            list.children().item(2).is_some_and(|item| item == first_c),
            "c keeps its element (and so its focus)"
        );
        let leaving = list.children().item(3).expect("d's chip, leaving");
        assert_eq!(leaving.get_attribute("data-name").as_deref(), Some("d"));
        assert_eq!(
            leaving.get_attribute("data-testid").as_deref(),
            Some("pod-chip-leaving")
        );
        assert!(leaving.class_name().ends_with(" chip-leaving"));

        // A pod made again under a's name is a new chip; the highlight lights up b.
        let linked = |uid: &Uid| uid == "2";
        shown.patch(&list, &[pod("a", "9", "Running")], &linked);
        assert_eq!(chips_of(&list).len(), 1);
        assert_eq!(chips_of(&list)[0].3, "pod-chip phase-running chip-new");
        shown.relight(&|uid: &Uid| uid == "9");
        assert_eq!(chips_of(&list)[0].3, "pod-chip phase-running linked");
    }

    /// Resolves after `ms` milliseconds of the page's time.
    async fn sleep_ms(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    #[wasm_bindgen_test]
    fn a_focused_chip_that_leaves_hands_the_focus_to_the_chip_in_its_place() {
        let document = web_sys::window().and_then(|window| window.document()).expect("a page");
        let list = document.create_element("ul").expect("an element");
        document
            .body()
            .expect("a body")
            .append_child(&list)
            .expect("in the page");
        let mut shown = Shown::default();
        let (a, b, c) = (
            pod("a", "1", "Running"),
            pod("b", "2", "Running"),
            pod("c", "3", "Running"),
        );
        shown.patch(&list, &[a.clone(), b, c.clone()], &|_| false);
        let focus = |index: u32| {
            list.children()
                .item(index)
                .and_then(|item| item.dyn_into::<web_sys::HtmlElement>().ok())
                .expect("a chip")
                .focus()
                .expect("focusable");
        };
        focus(1);
        shown.patch(&list, &[a, c], &|_| false);
        let active = document
            .active_element()
            .and_then(|element| element.get_attribute("data-name"));
        assert_eq!(active.as_deref(), Some("c"));
        list.remove();
    }

    #[wasm_bindgen_test]
    async fn a_chip_whose_pod_left_is_removed_after_its_exit_animation() {
        let document = web_sys::window().and_then(|window| window.document()).expect("a page");
        let list = document.create_element("ul").expect("an element");
        let mut shown = Shown::default();
        shown.patch(&list, &[pod("a", "1", "Running")], &|_| false);
        shown.patch(&list, &[], &|_| false);
        assert_eq!(list.child_element_count(), 1, "animating out");
        assert!(chips_of(&list).is_empty(), "no longer a pod chip");
        sleep_ms(LEAVING_MS as i32 + 200).await;
        assert_eq!(list.child_element_count(), 0, "removed after the animation");
    }
}
