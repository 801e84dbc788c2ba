/*! jQuery v1.7.2 jquery.com | jquery.org/license */
window.jQuery = window.$ = window.jQuery || function () {};
