// Charts drawn as vector graphics: bar, grouped bar (e.g. planned vs achieved), line and
// pie, with a Cyrillic title, category labels (wrapped, or turned and shortened when they
// are crowded), a legend, and a value axis with "nice" steps labelled the Russian way
// ("1,5 млн ₽", "25 %"). Null values are gaps. Same chart, same drawing operators.
#pragma once

#include <string>

#include "model/document.h"
#include "pdf/canvas.h"
#include "pdf/typeset.h"

namespace gp::pdf {

// Throws gp::Error(Render) naming `where` when the chart cannot be drawn (no categories,
// a series whose length differs from the categories, a value that is not a number).
void checkChart(const model::Chart& chart, const std::string& where);

// Draws `chart` in the box whose top-left corner is (x, top). `scale`: document font size
// relative to 10.5 pt.
void drawChart(Typesetter& type, Canvas& canvas, const model::Chart& chart, double x, double top, double width,
               double height, double scale, const std::string& where);

}  // namespace gp::pdf
