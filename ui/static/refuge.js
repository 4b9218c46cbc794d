() => {
  /* Runs once the chat has loaded (Gradio's `js`). The quick exit and Shift x3 are in
     ui/static/early.js, inline in the page, so they work before this and without it. */
  const $ = (s, root) => (root || document).querySelector(s);
  const barHeight = () => { const b = $("#refuge-top"); return b ? b.getBoundingClientRect().height : 0; };
  const scrollToTop = (el) => {
    const y = el.getBoundingClientRect().top + window.scrollY - barHeight() - 8;
    window.scrollTo({ top: Math.max(0, y), behavior: "instant" });
  };

  /* The early shell: keep what was typed, then give way to the chat. */
  const shell = $("#refuge-shell");
  if (shell) {
    const typed = ($("#refuge-early-q") || {}).value || "";
    const box = $("#refuge-input textarea");
    if (typed && box && !box.value) {
      box.value = typed;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    shell.remove();
  }

  /* Page language, names and status texts follow the language switch (#refuge-top's data). */
  const status = $("#refuge-status");
  const say = (text) => {
    if (!status) return;
    status.textContent = "";
    setTimeout(() => { status.textContent = text; }, 60);
  };

  let users = 0, target = null, until = 0, announced = new WeakSet();
  const stop = () => { until = 0; };
  ["wheel", "touchstart", "keydown"].forEach((t) => window.addEventListener(t, stop, { passive: true }));

  const tidy = () => {
    const top = $("#refuge-top");
    if (top && top.dataset.lang && document.documentElement.lang !== top.dataset.lang) {
      document.documentElement.lang = top.dataset.lang;
    }
    const box = $("#refuge-input textarea");  /* its <label> also holds the Send button: name it alone */
    if (top && box && box.getAttribute("aria-label") !== top.dataset.question) box.setAttribute("aria-label", top.dataset.question);
    const picker = $("#refuge-lang");  /* a fieldset without a legend: name it, and make its radios one group */
    const label = picker && $("[data-testid=block-info]", picker);
    if (label && picker.getAttribute("aria-label") !== label.textContent.trim()) picker.setAttribute("aria-label", label.textContent.trim());
    if (picker) picker.querySelectorAll("input[type=radio]").forEach((r) => { if (r.name !== "refuge-lang") r.name = "refuge-lang"; });
    /* Gradio gives each tab's column an empty id: not an id, and invalid HTML */
    document.querySelectorAll('[id=""]').forEach((e) => e.removeAttribute("id"));
    /* a checked text: its heading ("Sentences checked: 3") or its message, once, for screen readers */
    const checked = $("#refuge-check-result .refuge-check-head, #refuge-check-result .refuge-message");
    if (checked && !announced.has(checked)) { announced.add(checked); say(checked.textContent.trim().slice(0, 200)); }
    const chat = $("#refuge-chat");
    if (!chat) return;
    const log = $("[role=log]", chat);
    if (log && log.getAttribute("aria-live") !== "off") log.setAttribute("aria-live", "off");
    chat.querySelectorAll("[data-testid=bot][aria-label], [data-testid=user][aria-label]").forEach((m) => m.removeAttribute("aria-label"));
    const rows = [...chat.querySelectorAll(".message-row")];
    const asked = rows.filter((r) => r.classList.contains("user-row"));
    if (asked.length < users) users = asked.length;
    if (asked.length > users) {
      users = asked.length; target = asked[asked.length - 1]; until = Date.now() + 2000;
    }
    if (target && Date.now() < until && target.isConnected) {
      const after = rows.slice(rows.indexOf(target) + 1);
      const notice = after.map((r) => $(".refuge-crisis", r)).find(Boolean);
      scrollToTop(notice || target);
    }
    /* one short status per finished turn: "Answer ready" (help shown first, after a danger question),
       or a fixed reply's own words ("Please type a question."); never the answer itself */
    const t = (top && top.dataset) || {};
    rows.filter((r) => r.classList.contains("bot-row")).forEach((row) => {
      const done = $(".refuge-answer.refuge-done", row);
      const plain = !$(".refuge-answer, .refuge-crisis, .refuge-draft", row);
      const key = done || (plain && row);
      if (!key || announced.has(key)) return;
      announced.add(key);
      if (plain) { say(row.innerText.trim().slice(0, 200)); return; }
      const before = rows.slice(0, rows.indexOf(row)).reverse();
      const asked = before.findIndex((r) => r.classList.contains("user-row"));
      const crisis = before.slice(0, asked < 0 ? before.length : asked).some((r) => $(".refuge-crisis", r));
      say(crisis ? `${t.crisis || ""} ${t.ready || ""}` : t.ready || "");
    });
  };
  new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true, attributes: true,
                                                      attributeFilter: ["data-lang", "data-question"] });
  tidy();

  /* [n] opens source n of that answer and brings it into view. */
  document.addEventListener("click", (e) => {
    const a = e.target && e.target.closest && e.target.closest("a.refuge-ref");
    if (!a) return;
    const item = document.getElementById((a.getAttribute("href") || "").slice(1));
    if (!item) return;
    e.preventDefault();
    e.stopPropagation();
    const all = item.closest("details.refuge-sources");
    if (all) all.open = true;
    const one = $("details", item);
    if (one) one.open = true;
    until = 0;
    scrollToTop(item);
    const summary = $("summary", item);
    if (summary) summary.focus({ preventScroll: true });
  }, true);
}
