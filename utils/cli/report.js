/* The flame graph of tracemalloc export --format html (embedded).
 *
 * Reads the JSON block #tm-data ({"frames": [[function, file, line], ...],
 * "stacks": [[size, count, [frame, ... oldest first]], ...]}), merges the
 * stacks into a tree and draws it as an icicle chart into svg#flamegraph:
 * the root ("all") on top, each frame under its caller, widths by size.
 * Clicking a frame zooms on it (its callers stay, full width, above it);
 * hovering shows its size, share and count. When done, the svg gets
 * data-rendered="N rects" and the body data-status="ok" (or the error), so
 * that a headless browser can check the page (see also selfTest). */
(function () {
  "use strict";
  var ROW = 18;
  var MIN_WIDTH = 0.5;
  var SVG_NS = "http://www.w3.org/2000/svg";

  function formatSize(size) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(size) < 100 && units[i] !== "B")
        return size.toFixed(1) + " " + units[i];
      if (Math.abs(size) < 10 * 1024 || units[i] === "TiB")
        return size.toFixed(0) + " " + units[i];
      size /= 1024;
    }
  }

  function makeNode(frame, parent) {
    return { frame: frame, parent: parent, size: 0, count: 0,
             children: new Map(), sorted: null, depth: parent ? parent.depth + 1 : 0 };
  }

  function buildTree(data) {
    var root = makeNode(-1, null);
    data.stacks.forEach(function (stack) {
      var node = root;
      node.size += stack[0];
      node.count += stack[1];
      stack[2].forEach(function (frame) {
        var child = node.children.get(frame);
        if (!child) {
          child = makeNode(frame, node);
          node.children.set(frame, child);
        }
        child.size += stack[0];
        child.count += stack[1];
        node = child;
      });
    });
    return root;
  }

  function children(node) {
    if (!node.sorted) {
      node.sorted = Array.from(node.children.values());
      node.sorted.sort(function (a, b) { return b.size - a.size || b.count - a.count; });
    }
    return node.sorted;
  }

  function start() {
    var data = JSON.parse(document.getElementById("tm-data").textContent);
    var svg = document.getElementById("flamegraph");
    var details = document.getElementById("details");
    var root = buildTree(data);
    /* Blocks of 0 bytes only: draw by count instead. */
    var weigh = root.size > 0 ? function (n) { return n.size; }
                              : function (n) { return n.count; };

    function label(node) {
      if (node.frame < 0) return "all";
      var f = data.frames[node.frame];
      var where = f[1] + ":" + f[2];
      return f[0] ? f[0] + " (" + where + ")" : where;
    }

    function describe(node) {
      var share = root.size > 0 ? node.size / root.size * 100
                                : node.count / Math.max(root.count, 1) * 100;
      return label(node) + ": " + formatSize(node.size) + " (" +
             share.toFixed(2) + "%), " + node.count + " blocks";
    }

    function color(node) {
      if (node.frame < 0) return "hsl(0, 0%, 80%)";
      var name = data.frames[node.frame][1], hash = 0;
      for (var i = 0; i < name.length; i++)
        hash = (hash * 31 + name.charCodeAt(i)) | 0;
      var hue = Math.abs(hash) % 55;
      var light = 55 + Math.abs(hash >> 8) % 15;
      return "hsl(" + hue + ", 85%, " + light + "%)";
    }

    function drawNode(node, x, width, ancestor, state) {
      var g = document.createElementNS(SVG_NS, "g");
      var rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("x", x.toFixed(2));
      rect.setAttribute("y", node.depth * ROW);
      rect.setAttribute("width", Math.max(width, 0.1).toFixed(2));
      rect.setAttribute("height", ROW - 1);
      rect.setAttribute("fill", color(node));
      if (ancestor) rect.setAttribute("class", "ancestor");
      var title = document.createElementNS(SVG_NS, "title");
      title.textContent = describe(node);
      g.appendChild(title);
      g.appendChild(rect);
      var chars = Math.floor((width - 6) / 7);
      if (chars >= 3) {
        var text = document.createElementNS(SVG_NS, "text");
        var name = label(node);
        text.textContent = name.length > chars ? name.slice(0, chars - 2) + ".." : name;
        text.setAttribute("x", (x + 3).toFixed(2));
        text.setAttribute("y", node.depth * ROW + ROW - 5);
        g.appendChild(text);
      }
      g.addEventListener("mouseover", function () { details.textContent = describe(node); });
      g.addEventListener("click", function () { render(node); });
      svg.appendChild(g);
      state.rects++;
      state.depth = Math.max(state.depth, node.depth);
    }

    function drawSubtree(node, x, scale, state) {
      var width = weigh(node) * scale;
      if (width < MIN_WIDTH) return;
      drawNode(node, x, width, false, state);
      children(node).forEach(function (child) {
        drawSubtree(child, x, scale, state);
        x += weigh(child) * scale;
      });
    }

    function render(zoom) {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var width = svg.getBoundingClientRect().width || 1200;
      var state = { rects: 0, depth: 0 };
      for (var a = zoom.parent; a; a = a.parent)
        drawNode(a, 0, width, true, state);
      var scale = weigh(zoom) > 0 ? width / weigh(zoom) : 0;
      if (scale > 0) drawSubtree(zoom, 0, scale, state);
      else drawNode(zoom, 0, width, false, state);
      svg.setAttribute("height", (state.depth + 1) * ROW);
      svg.setAttribute("data-rendered", state.rects + " rects");
      details.textContent = describe(zoom);
    }

    document.getElementById("reset").addEventListener("click", function () { render(root); });
    render(root);
    if (location.hash === "#selftest") selfTest(svg, details);
  }

  /* For tests in a headless browser (report.html#selftest): hover and click
   * the biggest frame under the root, as a user would, and record what the
   * page then shows in data-selftest. */
  function selfTest(svg, details) {
    var groups = svg.querySelectorAll("g");
    if (groups.length < 2) return;
    groups[1].dispatchEvent(new MouseEvent("mouseover"));
    var hovered = details.textContent;
    groups[1].dispatchEvent(new MouseEvent("click"));
    svg.setAttribute("data-selftest", "hover: " + hovered + "; zoom: " +
                     svg.getAttribute("data-rendered"));
  }

  /* Tables of class "sortable": a click on a column's header sorts the
   * rows by that column's data-value, biggest first (a second click:
   * smallest first). */
  function makeSortable(table) {
    var headers = table.querySelectorAll("th");
    Array.prototype.forEach.call(headers, function (th, column) {
      th.style.cursor = "pointer";
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var down = th.getAttribute("data-order") !== "down";
        rows.sort(function (a, b) {
          var x = Number(a.cells[column].getAttribute("data-value"));
          var y = Number(b.cells[column].getAttribute("data-value"));
          return down ? y - x : x - y;
        });
        th.setAttribute("data-order", down ? "down" : "up");
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  try {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"),
                                 makeSortable);
    start();
    document.body.setAttribute("data-status", "ok");
  } catch (error) {
    document.body.setAttribute("data-status", "error: " + error);
    throw error;
  }
})();
