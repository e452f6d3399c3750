/* Herold staff UI: progressive enhancement only. Every page works without this file. */
/* global document, window, fetch, setTimeout, clearTimeout, DOMParser, Node, Event */
(function () {
  'use strict';

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  // Errors: move focus to the summary so keyboard and screen-reader users hear it first.
  function focusErrors() {
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
  }

  // Anything that may take longer than a second shows progress.
  function progress(on, text) {
    var box = document.getElementById('progress');
    if (!box) return;
    if (text) box.querySelector('.progress-text').textContent = text;
    box.hidden = !on;
  }

  function guardForms() {
    document.querySelectorAll('form[data-progress]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        if (form.getAttribute('aria-busy') === 'true') {
          event.preventDefault();
          return;
        }
        form.setAttribute('aria-busy', 'true');
        var button = event.submitter;
        if (button) button.setAttribute('aria-disabled', 'true');
        setTimeout(function () { progress(true); }, 300);
      });
    });
    window.addEventListener('pageshow', function () { progress(false); });
  }

  // ---- paste from Word or a web page: HTML becomes Markdown ----
  function inline(node) {
    var out = '';
    node.childNodes.forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) {
        out += child.textContent.replace(/\s+/g, ' ');
        return;
      }
      if (child.nodeType !== Node.ELEMENT_NODE) return;
      var tag = child.tagName.toLowerCase();
      if (tag === 'style' || tag === 'script' || tag === 'meta' || tag === 'title') return;
      var inner = inline(child);
      if (tag === 'br') out += '\n';
      else if ((tag === 'strong' || tag === 'b') && inner.trim()) out += '**' + inner.trim() + '** ';
      else if ((tag === 'em' || tag === 'i') && inner.trim()) out += '*' + inner.trim() + '* ';
      else if (tag === 'a' && child.getAttribute('href') && /^https?:/i.test(child.getAttribute('href'))) out += '[' + inner.trim() + '](' + child.getAttribute('href') + ')';
      else out += inner;
    });
    return out;
  }

  function blocks(root) {
    var parts = [];
    function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (child.textContent.trim()) parts.push(child.textContent.trim());
          return;
        }
        if (child.nodeType !== Node.ELEMENT_NODE) return;
        var tag = child.tagName.toLowerCase();
        var cls = child.getAttribute('class') || '';
        if (tag === 'style' || tag === 'script' || tag === 'meta' || tag === 'title' || tag === 'head') return;
        var heading = /^h([1-6])$/.exec(tag);
        if (heading) parts.push(new Array(Math.min(Number(heading[1]) + 1, 6) + 1).join('#') + ' ' + inline(child).trim());
        else if (tag === 'ul' || tag === 'ol') {
          var n = 0;
          child.querySelectorAll(':scope > li').forEach(function (li) {
            n += 1;
            parts.push((tag === 'ol' ? n + '. ' : '- ') + inline(li).trim());
          });
        } else if (/MsoListParagraph/i.test(cls)) parts.push('- ' + inline(child).replace(/^[\s\u00b7\u2022o§\-\d.)]+/, '').trim());
        else if (tag === 'p' || tag === 'blockquote' || tag === 'pre') {
          var text = inline(child).trim();
          if (text) parts.push(text);
        } else if (tag === 'div' || tag === 'section' || tag === 'article' || tag === 'body' || tag === 'html' || tag === 'main' || tag === 'table' || tag === 'tbody' || tag === 'tr' || tag === 'td') walk(child);
        else {
          var t = inline(child).trim();
          if (t) parts.push(t);
        }
      });
    }
    walk(root);
    return parts.join('\n\n');
  }

  function plainToMarkdown(text) {
    return text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map(function (line) { return line.replace(/^\s*[\u2022\u00b7\u25aa\u25cf]\s*/, '- ').replace(/\s+$/, ''); })
      .join('\n')
      .replace(/\n{3,}/g, '\n\n');
  }

  function enablePaste() {
    document.querySelectorAll('textarea[data-paste-markdown]').forEach(function (area) {
      area.addEventListener('paste', function (event) {
        var data = event.clipboardData;
        if (!data) return;
        var html = data.getData('text/html');
        var text = data.getData('text/plain');
        var markdown = '';
        if (html) markdown = blocks(new DOMParser().parseFromString(html, 'text/html').body);
        if (!markdown && text) markdown = plainToMarkdown(text);
        if (!markdown) return;
        event.preventDefault();
        area.setRangeText(markdown, area.selectionStart, area.selectionEnd, 'end');
        area.dispatchEvent(new Event('input', { bubbles: true }));
      });
    });
  }

  // ---- live previews in the release editor ----
  function enablePreview() {
    var form = document.getElementById('release-form');
    var target = document.getElementById('previews');
    var status = document.getElementById('preview-status');
    if (!form || !target) return;
    var timer = null;
    var slow = null;
    var seq = 0;
    function value(name) {
      var el = form.elements.namedItem(name);
      return el && 'value' in el ? el.value : '';
    }
    function collect() {
      var channelIds = [];
      form.querySelectorAll('input[name="channelIds"]:checked').forEach(function (box) { channelIds.push(box.value); });
      var media = [];
      form.querySelectorAll('.media-row').forEach(function (row) {
        var url = row.querySelector('[data-media-url]');
        var alt = row.querySelector('[data-media-alt]');
        if (url && alt && url.value && alt.value) media.push({ url: url.value, alt: alt.value });
      });
      return { title: value('title'), subtitle: value('subtitle'), dateline: value('dateline'), body: value('body'), channelIds: channelIds, media: media };
    }
    function update() {
      var mine = ++seq;
      if (status) status.textContent = status.getAttribute('data-loading');
      target.setAttribute('aria-busy', 'true');
      slow = setTimeout(function () { progress(true, status ? status.getAttribute('data-loading') : ''); }, 1000);
      fetch('/app/preview', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
        body: JSON.stringify(collect()),
      })
        .then(function (res) { return res.text(); })
        .then(function (html) {
          if (mine !== seq) return;
          target.innerHTML = html;
          if (status) status.textContent = status.getAttribute('data-ready');
        })
        .catch(function () { if (status) status.textContent = ''; })
        .then(function () {
          clearTimeout(slow);
          progress(false);
          target.removeAttribute('aria-busy');
        });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(update, 500);
    }
    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    var button = form.querySelector('[data-preview-button]');
    if (button) {
      button.addEventListener('click', function (event) {
        event.preventDefault();
        update();
      });
    }
    if (value('title') && value('body')) schedule();
  }

  // ---- calendar: drag a post to another day (pointer only; the keyboard path is the panel) ----
  // A drop only fills in the reschedule panel; the person confirms there, after the warning
  // that rescheduling approved content voids the approval.
  function enableDragToReschedule() {
    var items = document.querySelectorAll('.cal-item[data-move-url]');
    if (!items.length) return;
    var dragged = null;
    function clear() {
      document.querySelectorAll('.cal-drop').forEach(function (el) { el.classList.remove('cal-drop'); });
    }
    items.forEach(function (item) {
      item.setAttribute('draggable', 'true');
      // Links would start a drag of their own address instead of the post.
      item.querySelectorAll('a').forEach(function (a) { a.setAttribute('draggable', 'false'); });
      item.addEventListener('dragstart', function (event) {
        dragged = item;
        item.classList.add('cal-dragging');
        event.dataTransfer.effectAllowed = 'move';
        event.dataTransfer.setData('text/plain', item.getAttribute('data-post') || '');
      });
      item.addEventListener('dragend', function () {
        item.classList.remove('cal-dragging');
        dragged = null;
        clear();
      });
    });
    document.querySelectorAll('.cal-day[data-day]').forEach(function (day) {
      day.addEventListener('dragover', function (event) {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        day.classList.add('cal-drop');
      });
      day.addEventListener('dragleave', function (event) {
        if (!event.relatedTarget || !day.contains(event.relatedTarget)) day.classList.remove('cal-drop');
      });
      day.addEventListener('drop', function (event) {
        if (!dragged) return;
        event.preventDefault();
        var to = day.getAttribute('data-day') + 'T' + dragged.getAttribute('data-time');
        var status = document.getElementById('drop-status');
        if (status) status.textContent = status.getAttribute('data-drop-text');
        progress(true);
        window.location.assign(dragged.getAttribute('data-move-url') + '&to=' + encodeURIComponent(to));
      });
    });
  }

  // The reschedule panel (and similar) puts the cursor into its field, unless errors come first.
  function autofocus() {
    if (document.querySelector('.error-summary')) return;
    var field = document.querySelector('[data-autofocus]');
    if (field) field.focus();
  }

  // Channel form: of X's two sign-in methods, show the fields of the chosen one.
  function authGroups() {
    var radios = document.querySelectorAll('input[data-auth-choice]');
    if (!radios.length) return;
    function update() {
      var chosen = document.querySelector('input[data-auth-choice]:checked');
      document.querySelectorAll('[data-auth-group]').forEach(function (group) {
        group.hidden = !!chosen && group.getAttribute('data-auth-group') !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener('change', update); });
    update();
  }

  function selectAll() {
    document.querySelectorAll('[data-select-all]').forEach(function (input) {
      input.addEventListener('focus', function () { input.select(); });
    });
  }

  ready(function () {
    focusErrors();
    guardForms();
    enablePaste();
    enablePreview();
    selectAll();
    enableDragToReschedule();
    autofocus();
    authGroups();
    document.documentElement.classList.add('js');
  });
})();
